// Small SQL pieces shared by the repositories.
import { type Column, type SQL, sql } from 'drizzle-orm';

/**
 * `column = any($1::text[])`: one array parameter instead of `in ($1, $2, …)`, so that the
 * statement text, and with it the prepared statement, is the same for every batch size.
 */
export function anyOf(column: Column, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(values)}::text[])`;
}

/** The rows of a raw `db.execute`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
