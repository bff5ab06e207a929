// How the tests reach PostgreSQL: the variables the server reads, parsed as it parses them, so
// that the suite runs through a pooler (DATABASE_PREPARE=false, DATABASE_DIRECT_URL) as well.
import { type DatabaseConfig, loadConfig } from '../../src/config.js';

/** The variables that say how to reach PostgreSQL, passed on to servers the tests start. */
export const POSTGRES_ENV = ['DATABASE_URL', 'DATABASE_PREPARE', 'DATABASE_DIRECT_URL'] as const;

/**
 * The suite's PostgreSQL as the server would read it from the same variables: through a pooler
 * (DATABASE_PREPARE=false, DATABASE_DIRECT_URL) too.
 */
export function postgresTestConfig(poolSize: number): DatabaseConfig {
  const env = Object.fromEntries(POSTGRES_ENV.map((name) => [name, process.env[name]]));
  const { database } = loadConfig(env);
  if (database.kind !== 'postgres') throw new Error('DATABASE_URL is not a PostgreSQL URL');
  return { ...database, poolSize };
}
