import { and, asc, count, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type CustomerRow, customers } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { anyOf, param, prepared } from './sql.js';

export type NewCustomer = Omit<typeof customers.$inferInsert, 'companyId'>;
export type CustomerPatch = Partial<Omit<NewCustomer, 'id' | 'createdBy' | 'createdTime'>>;

export interface CustomerListFilter {
  /** Inclusive lower bound of lastUpdatedTime, RFC 3339. */
  updatedFrom?: string;
  /** Exclusive upper bound of lastUpdatedTime, RFC 3339. */
  updatedBefore?: string;
  /** E.164. */
  phone?: string;
}

export function customerRepository(db: Database, companyId: string) {
  /** The list's conditions; values are placeholders, filled in when the query runs. */
  const listConditions = (filter: CustomerListFilter): SQL[] => {
    const conditions = [eq(customers.companyId, param('companyId')), eq(customers.deleted, false)];
    if (filter.updatedFrom !== undefined) {
      conditions.push(gte(customers.lastUpdatedTime, param('updatedFrom')));
    }
    if (filter.updatedBefore !== undefined) {
      conditions.push(lt(customers.lastUpdatedTime, param('updatedBefore')));
    }
    if (filter.phone !== undefined) conditions.push(eq(customers.phone, param('phone')));
    return conditions;
  };
  const variant = (filter: CustomerListFilter) =>
    [filter.updatedFrom, filter.updatedBefore, filter.phone]
      .map((v) => (v === undefined ? 0 : 1))
      .join('');

  return {
    /** Customers by ID, deleted ones included, in no particular order. */
    findByIds(ids: readonly string[]): Promise<CustomerRow[]> {
      return prepared(db, 'customers.findByIds', () =>
        db
          .select()
          .from(customers)
          .where(
            and(eq(customers.companyId, param('companyId')), anyOf(customers.id, param('ids'))),
          )
          .prepare('customers_find_by_ids'),
      ).execute({ companyId, ids });
    },

    /**
     * Up to `limit` non-deleted customers after `after` in (lastUpdatedTime, id) order: a keyset
     * page, as cheap deep in the list as at its start.
     */
    page(
      filter: CustomerListFilter,
      after: KeysetPosition | null,
      limit: number,
    ): Promise<CustomerRow[]> {
      const key = `customers.page.${variant(filter)}.${after ? 1 : 0}`;
      return prepared(db, key, () => {
        const conditions = listConditions(filter);
        if (after) {
          conditions.push(
            sql`(${customers.lastUpdatedTime}, ${customers.id}) > (${param('afterTime')}::timestamptz, ${param('afterId')})`,
          );
        }
        return db
          .select()
          .from(customers)
          .where(and(...conditions))
          .orderBy(asc(customers.lastUpdatedTime), asc(customers.id))
          .limit(param('limit'))
          .prepare(key.replaceAll('.', '_'));
      }).execute({
        companyId,
        ...filter,
        afterTime: after ? microsToIso(after.micros) : undefined,
        afterId: after?.id,
        limit,
      });
    },

    async count(filter: CustomerListFilter): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(customers)
        .where(and(...listConditions(filter)))
        .execute({ companyId, ...filter });
      return row?.n ?? 0;
    },

    async insert(customer: NewCustomer): Promise<CustomerRow> {
      const [row] = await db
        .insert(customers)
        .values({ ...customer, companyId })
        .returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** Applies the patch; null when the customer does not exist. */
    async update(id: string, patch: CustomerPatch): Promise<CustomerRow | null> {
      const [row] = await db
        .update(customers)
        .set(patch)
        .where(and(eq(customers.companyId, companyId), eq(customers.id, id)))
        .returning();
      return row ?? null;
    },

    /** Locks the customer's row for the rest of the transaction; null when it does not exist. */
    async lock(id: string): Promise<CustomerRow | null> {
      const [row] = await db
        .select()
        .from(customers)
        .where(and(eq(customers.companyId, companyId), eq(customers.id, id)))
        .for('update');
      return row ?? null;
    },
  };
}

export type CustomerRepository = ReturnType<typeof customerRepository>;
