// Newest-first pages of a customer's rows (notes, compliance changes) for a whole page of
// customers in one statement: a LATERAL join that walks the (company, customer, time, id)
// index backwards once per customer, so that deep pages cost what the first one does.
import {
  and,
  count,
  desc,
  eq,
  getTableColumns,
  getTableName,
  type InferSelectModel,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { customers } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { anyOf, param, prepared } from './sql.js';

export interface PerCustomerSource<T extends PgTable> {
  table: T;
  companyId: PgColumn;
  customerId: PgColumn;
  /** The sort time: newest first, then id descending. */
  time: PgColumn;
  id: PgColumn;
}

export function perCustomerPages<T extends PgTable>(
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
      const build = () => {
        // Positions differ per customer, so a page with `after` is built for its values.
        const afterConditions = [...after].map(
          ([customerId, position]) =>
            sql`(${source.customerId} <> ${customerId} or ${before(position)})`,
        );
        const page = db
          .select()
          .from(source.table as PgTable)
          .where(
            and(
              eq(source.companyId, param('companyId')),
              sql`${source.customerId} = ${customers.id}`,
              ...afterConditions,
            ),
          )
          .orderBy(desc(source.time), desc(source.id))
          .limit(param('limit'))
          .as('page');
        const fields = Object.fromEntries(
          Object.keys(getTableColumns(source.table)).map((key) => [
            key,
            page[key as keyof typeof page],
          ]),
        ) as Record<string, PgColumn>;
        return db
          .select(fields)
          .from(customers)
          .crossJoinLateral(page)
          .where(
            and(eq(customers.companyId, param('companyId')), anyOf(customers.id, param('ids'))),
          )
          .prepare(`${getTableName(source.table)}_per_customer_page`);
      };
      const query =
        after.size === 0
          ? prepared(db, `${getTableName(source.table)}.perCustomerPage`, build)
          : build();
      return query.execute({ companyId, ids: customerIds, limit }) as unknown as Promise<
        InferSelectModel<T>[]
      >;
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
