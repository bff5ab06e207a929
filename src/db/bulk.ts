// Multi-row inserts with one parameter: the rows as one JSON array, read back as a record set
// (`insert … select … from jsonb_to_recordset($1::jsonb) as r("col" type, …)`), as the event
// append does. Drizzle's `.insert().values(rows)` builds one placeholder per value, and its SQL
// builder checks every chunk's kind as it goes: for createCustomers' 100 customers (about 6,000
// values across the customer, consent-trail and address rows) that building was 37% of the
// server's CPU in a profile of the bulk benchmark (docs/performance.md). Here the statement has
// one chunk per column whatever the number of rows, and planning does not grow with it either.
// Used by the seed and by the repositories' insertMany; PostgreSQL and PGlite alike.
import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type Database, rowsOf } from './client.js';

export interface InsertOptions {
  /** Rows that conflict with a unique index are skipped (and not returned). */
  skipConflicts?: boolean;
  /** What to return of each inserted row, e.g. `columnsOf(table)`. */
  returning?: SQL;
}

const columnsCache = new WeakMap<PgTable, [string, PgColumn][]>();

/** The table's columns a row can be given (not the generated ones), by property name. */
function writableColumns(table: PgTable): [string, PgColumn][] {
  let columns = columnsCache.get(table);
  if (!columns) {
    columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(
      ([, column]) => !column.generated,
    );
    columnsCache.set(table, columns);
  }
  return columns;
}

/**
 * Inserts the rows (keyed by the table's property names, as `$inferInsert`) in one statement.
 * The columns are those any row gives; a row without one of them stores null there (not the
 * column's default). Returns what `returning` selects, in no particular order.
 */
export async function insertRows<T extends PgTable, R = never>(
  db: Database,
  table: T,
  rows: readonly Partial<T['$inferInsert']>[],
  options: InsertOptions = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const given = rows as readonly Record<string, unknown>[];
  const columns = writableColumns(table).filter(([key]) =>
    given.some((row) => row[key] !== undefined),
  );
  const records = given.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [key, column] of columns) record[column.name] = row[key] ?? null;
    return record;
  });
  const names = sql.raw(columns.map(([, column]) => `"${column.name}"`).join(', '));
  const definitions = sql.raw(
    columns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(', '),
  );
  const result = await db.execute(
    sql`insert into ${sql.identifier(getTableName(table))} (${names})
      select ${names} from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(${definitions})
      ${options.skipConflicts ? sql`on conflict do nothing` : sql``}
      ${options.returning ? sql`returning ${options.returning}` : sql``}`,
  );
  return options.returning ? rowsOf<R>(result) : [];
}

/** The seed's inserts: rows that conflict are skipped. */
export async function bulkInsert<T extends PgTable>(
  db: Database,
  table: T,
  rows: readonly Partial<T['$inferInsert']>[],
): Promise<void> {
  await insertRows(db, table, rows, { skipConflicts: true });
}
