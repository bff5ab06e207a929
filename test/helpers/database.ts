// How the tests reach PostgreSQL: the variables the server reads, parsed as it parses them, so
// that the suite runs through a pooler (DATABASE_PREPARE=false, DATABASE_DIRECT_URL) as well.
import { type DatabaseConfig, loadConfig } from '../../src/config.js';

/** The variables that say how to reach PostgreSQL, passed on to servers the tests start. */
export const POSTGRES_ENV = ['DATABASE_URL', 'DATABASE_PREPARE', 'DATABASE_DIRECT_URL'] as const;

/**
 * The suite's PostgreSQL as the server would read it from the same variables: through a pooler
 * (DATABASE_PREPARE=false, DATABASE_DIRECT_URL) too.
 */
export function postgresTestConfig(
  poolSize: number,
): Extract<DatabaseConfig, { kind: 'postgres' }> {
  const env = Object.fromEntries(POSTGRES_ENV.map((name) => [name, process.env[name]]));
  const { database } = loadConfig(env);
  if (database.kind !== 'postgres') throw new Error('DATABASE_URL is not a PostgreSQL URL');
  return { ...database, poolSize };
}

/**
 * A server's environment with the suite's way to PostgreSQL: on the suite's database, its pooler
 * variables too (unless given); on a database of its own (a throwaway cluster), only what the
 * test gives.
 */
export function withSuitePostgres(env: Record<string, string>): Record<string, string> {
  if (!process.env.DATABASE_URL || env.DATABASE_URL !== process.env.DATABASE_URL) return env;
  const given = { ...env };
  for (const name of POSTGRES_ENV) {
    const value = process.env[name];
    if (value && given[name] === undefined) given[name] = value;
  }
  return given;
}
