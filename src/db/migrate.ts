// Applies the SQL migrations in drizzle/. On PostgreSQL a session-level advisory lock on a
// reserved connection makes concurrent starts safe: the second instance waits, then finds
// every migration applied. Both go to the primary itself (DATABASE_DIRECT_URL when the pool is
// behind PgBouncer, whose transaction mode would give the lock's session to someone else).
// PGlite has a single connection and needs no lock.
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { projectPath } from '../lib/paths.js';
import type { Store } from './client.js';

export const migrationsFolder = projectPath('drizzle');

/** Arbitrary but fixed: "customer-graph migrations". */
const MIGRATION_LOCK = 4_242_001;

export async function migrate(store: Store): Promise<void> {
  if (store.driver.kind === 'pglite') {
    await migratePglite(store.db as PgliteDatabase, { migrationsFolder });
    return;
  }
  const { client, direct } = store.driver;
  const connection = await direct.reserve();
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const db = direct === client ? store.db : drizzle({ client: direct });
    await migratePostgres(db as PostgresJsDatabase, { migrationsFolder });
  } finally {
    await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
    connection.release();
  }
}
