// Small SQL pieces shared by the repositories.
import { type Column, Placeholder, type SQL, sql } from 'drizzle-orm';

/**
 * `column = any($1::text[])`: one array parameter instead of `in ($1, $2, …)`, so that the
 * statement text, and with it the prepared statement, is the same for every batch size.
 */
export function anyOf(column: Column, values: readonly string[] | Placeholder): SQL {
  return values instanceof Placeholder
    ? sql`${column} = any(${values}::text[])`
    : sql`${column} = any(${sql.param(values)}::text[])`;
}

/** A named value filled in when a prepared query runs. */
export const param = (name: string) => sql.placeholder(name);

const preparedQueries = new WeakMap<object, Map<string, unknown>>();

/**
 * A query built once per database handle (and variant), then run with new values: Drizzle would
 * otherwise build the SQL text again on every call, which is most of what a small query costs in
 * this process. The handle is the key, so a transaction's queries stay its own.
 */
export function prepared<T>(db: object, key: string, build: () => T): T {
  let queries = preparedQueries.get(db);
  if (!queries) {
    queries = new Map();
    preparedQueries.set(db, queries);
  }
  let query = queries.get(key) as T | undefined;
  if (query === undefined) {
    query = build();
    queries.set(key, query);
  }
  return query;
}

/** The rows of a raw `db.execute`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
