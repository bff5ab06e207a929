import { defineConfig } from 'drizzle-kit';

// drizzle-kit generates SQL migrations into drizzle/ from src/db/schema.ts; the server applies
// them on start (src/db/migrate.ts), and `npm run db:migrate` applies them on demand.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
});
