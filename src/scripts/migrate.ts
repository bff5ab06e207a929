// npm run db:migrate: applies drizzle/ migrations to the configured database (the server also
// does this on start).
import { ConfigError, loadConfig } from '../config.js';
import { openStore } from '../db/client.js';
import { migrate } from '../db/migrate.js';

try {
  const config = loadConfig();
  const store = await openStore(config.database);
  await migrate(store);
  await store.close();
  process.stdout.write('migrations applied\n');
} catch (error) {
  process.stderr.write(
    `customer-graph: ${error instanceof ConfigError ? `configuration error: ${error.message}` : String(error)}\n`,
  );
  process.exit(1);
}
