// Bulk inserts: one statement per batch whatever its size, with one array parameter per column
// (`insert … select … from unnest($1::text[], $2::text[], …)`), instead of one parameter per
// value. Fast to build and to plan, on PostgreSQL and PGlite alike.
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    return `{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Inserts the rows (keyed by the table's property names); rows that conflict are skipped. */
export async function bulkInsert<T extends PgTable>(
  db: Database,
  table: T,
  rows: readonly Partial<T['$inferInsert']>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(
    ([key, column]) =>
      !column.generated && rows.some((row) => (row as Record<string, unknown>)[key] !== undefined),
  );
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  const arrays = sql.join(
    columns.map(
      ([key]) =>
        sql`${sql.param(rows.map((row) => toText((row as Record<string, unknown>)[key])))}::text[]`,
    ),
    sql`, `,
  );
  const casts = sql.join(
    columns.map(([, column], i) => sql.raw(`c${i}::${column.getSQLType()}`)),
    sql`, `,
  );
  const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
  await db.execute(
    sql`insert into ${sql.identifier(getTableName(table))} (${names}) select ${casts} from unnest(${arrays}) as t(${aliases}) on conflict do nothing`,
  );
}
