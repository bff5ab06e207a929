// Newest-first pages of a customer's rows (notes, compliance changes) for a whole page of
// customers in one statement: a LATERAL join that walks the (company, customer, time, id)
// index backwards once per customer, so that deep pages cost what the first one does.
import { and, count, eq, getTableName, type InferSelectModel, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { customers } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { anyOf, columnsOf, param, preparedSelect, selectOnce } from './sql.js';

export interface PerCustomerSource<T extends PgTable> {
  table: T;
  companyId: PgColumn;
  customerId: PgColumn;
  /** The sort time: newest first, then id descending. */
  time: PgColumn;
  id: PgColumn;
}

export function perCustomerRows<T extends PgTable>(
  db: Database,
  companyId: string,
  source: PerCustomerSource<T>,
) {
  const before = (position: KeysetPosition): SQL =>
    sql`(${source.time}, ${source.id}) < (${microsToIso(position.micros)}::timestamptz, ${position.id})`;

  return {
    /** Up to `limit` rows of each customer, newest first, after the customer's position if given. */
    page(
      customerIds: readonly string[],
      limit: number,
      after: ReadonlyMap<string, KeysetPosition> = new Map(),
    ): Promise<InferSelectModel<T>[]> {
      // Positions differ per customer: a page with `after` carries them as values of its own.
      const conditions = [...after].map(
        ([customerId, position]) =>
          sql` and (${source.customerId} <> ${customerId} or ${before(position)})`,
      );
      const query =
        () => sql`select ${columnsOf(source.table, 'page')} from ${customers} cross join lateral (
          select * from ${source.table}
          where ${source.companyId} = ${param('companyId')} and ${source.customerId} = ${customers.id}${sql.join(conditions)}
          order by ${source.time} desc, ${source.id} desc limit ${param('limit')}
        ) as page
        where ${customers.companyId} = ${param('companyId')} and ${customers.id} = any(${param('ids')}::text[])`;
      const values = { companyId, ids: customerIds, limit };
      return after.size === 0
        ? preparedSelect<InferSelectModel<T>>(
            db,
            `${getTableName(source.table)}.perCustomerPage`,
            query,
          )(values)
        : selectOnce<InferSelectModel<T>>(db, query(), values);
    },

    /** The number of rows of each customer that has any. */
    countByCustomerIds(
      customerIds: readonly string[],
    ): Promise<{ customerId: string; n: number }[]> {
      return db
        .select({ customerId: sql<string>`${source.customerId}`, n: count() })
        .from(source.table as PgTable)
        .where(and(eq(source.companyId, companyId), anyOf(source.customerId, customerIds)))
        .groupBy(source.customerId);
    },
  };
}
