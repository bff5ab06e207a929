// Small SQL pieces shared by the repositories.
import { and, type Column, eq, getTableColumns, type Query, type SQL, sql } from 'drizzle-orm';
import {
  type PgColumn,
  PgDialect,
  type PgPreparedQuery,
  type PgTable,
  type PreparedQueryConfig,
} from 'drizzle-orm/pg-core';
import { type Database, rowsOf } from '../db/client.js';

export { rowsOf };

/**
 * `column = any($1::text[])`: one array parameter instead of `in ($1, $2, …)`, so that the
 * statement text, and with it the prepared statement, is the same for every batch size.
 */
export function anyOf(column: Column, values: readonly string[]): SQL {
  return sql`${column} = any(${sql.param(values)}::text[])`;
}

/** The rows of one customer in a table keyed by company and customer. */
export function ofCustomer(
  table: { companyId: PgColumn; customerId: PgColumn },
  companyId: string,
  customerId: string,
): SQL | undefined {
  return and(eq(table.companyId, companyId), eq(table.customerId, customerId));
}

const columnLists = new WeakMap<object, Map<string, SQL>>();

/**
 * `"company_id" as "companyId", …` for every column of a table (optionally of an alias): rows
 * come back keyed like the table's $inferSelect and need no mapping (a page of customers with its
 * notes and tags is thousands of rows; docs/performance.md). Enum arrays are read as text[] so that
 * both drivers parse them.
 */
export function columnsOf(table: PgTable, alias?: string): SQL {
  let lists = columnLists.get(table);
  if (!lists) {
    lists = new Map();
    columnLists.set(table, lists);
  }
  const key = alias ?? '';
  let list = lists.get(key);
  if (!list) {
    const prefix = alias ? `"${alias}".` : '';
    const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).map(
      ([property, column]) => {
        const cast =
          column.getSQLType().endsWith('[]') && column.columnType === 'PgArray' ? '::text[]' : '';
        return `${prefix}"${column.name}"${cast} as "${property}"`;
      },
    );
    list = sql.raw(columns.join(', '));
    lists.set(key, list);
  }
  return list;
}

/** A named value filled in when a prepared select runs. */
export const param = (name: string) => sql.placeholder(name);

const dialect = new PgDialect();
/** The rendered text of each variant, whichever handle runs it. */
const renderedSelects = new Map<string, Query>();
const preparedSelects = new WeakMap<object, Map<string, PgPreparedQuery<PreparedQueryConfig>>>();

/**
 * A raw select (see columnsOf) rendered once per variant and prepared once per database handle,
 * then run with new values for its placeholders: neither building the SQL text nor mapping the
 * rows costs anything per call. Drizzle's public builders do one or the other on every call,
 * which on small, frequent queries is most of their cost in this process. Prepared through the
 * session, as Drizzle's own builders are, so that both drivers run it. The text is kept apart
 * from the handle: a traced request's handles (one per span) live for one request, and
 * rendering per handle cost a sampled byid request about 0.1 ms (docs/performance.md).
 */
export function preparedSelect<T>(
  db: Database,
  key: string,
  build: () => SQL,
): (values: Record<string, unknown>) => Promise<T[]> {
  let queries = preparedSelects.get(db);
  if (!queries) {
    queries = new Map();
    preparedSelects.set(db, queries);
  }
  let query = queries.get(key);
  if (!query) {
    let rendered = renderedSelects.get(key);
    if (!rendered) {
      rendered = dialect.sqlToQuery(build());
      renderedSelects.set(key, rendered);
    }
    query = prepared(db, rendered, key);
    queries.set(key, query);
  }
  const ready = query;
  return async (values) => rowsOf<T>(await ready.execute(values));
}

/** A raw select with placeholders, rendered for this one run. */
export async function selectOnce<T>(
  db: Database,
  query: SQL,
  values: Record<string, unknown>,
): Promise<T[]> {
  return rowsOf<T>(await prepare(db, query).execute(values));
}

function prepare(db: Database, query: SQL): PgPreparedQuery<PreparedQueryConfig> {
  return prepared(db, dialect.sqlToQuery(query));
}

function prepared(db: Database, query: Query, name?: string): PgPreparedQuery<PreparedQueryConfig> {
  return db._.session.prepareQuery(query, undefined, name, false);
}

/**
 * Deletes up to `limit` rows of `table` older than `before` (by `time`), oldest first, in one
 * statement; gives how many. `keys` are the primary key's columns (the rows to delete are picked
 * first, then deleted by key). For retention work, across companies.
 */
export async function pruneOldest(
  db: Database,
  table: { table: PgTable; keys: PgColumn[]; time: PgColumn },
  before: string,
  limit: number,
): Promise<number> {
  const keys = sql.join(
    table.keys.map((column) => sql.identifier(column.name)),
    sql`, `,
  );
  const matches = sql.join(
    table.keys.map(
      (column) => sql`t.${sql.identifier(column.name)} = doomed.${sql.identifier(column.name)}`,
    ),
    sql` and `,
  );
  const rows = rowsOf<{ deleted: string | number }>(
    await db.execute(sql`
      with doomed as (
        select ${keys} from ${table.table}
        where ${table.time} < ${before}::timestamptz order by ${table.time} limit ${limit}
      ), deleted as (
        delete from ${table.table} t using doomed where ${matches} returning 1
      )
      select count(*) as deleted from deleted`),
  );
  return Number(rows[0]?.deleted ?? 0);
}
