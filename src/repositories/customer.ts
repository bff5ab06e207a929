import { and, count, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type CustomerRow, customers } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { columnsOf, param, preparedSelect } from './sql.js';

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
  /** The list's conditions, as placeholders when `values` is false (for a prepared select). */
  const listConditions = (filter: CustomerListFilter, values = true): SQL[] => {
    const value = (name: keyof CustomerListFilter | 'companyId') =>
      values ? (name === 'companyId' ? companyId : filter[name]) : param(name);
    const conditions = [
      sql`${customers.companyId} = ${value('companyId')}`,
      eq(customers.deleted, false),
    ];
    if (filter.updatedFrom !== undefined) {
      conditions.push(sql`${customers.lastUpdatedTime} >= ${value('updatedFrom')}`);
    }
    if (filter.updatedBefore !== undefined) {
      conditions.push(sql`${customers.lastUpdatedTime} < ${value('updatedBefore')}`);
    }
    if (filter.phone !== undefined) conditions.push(sql`${customers.phone} = ${value('phone')}`);
    return conditions;
  };

  return {
    /** Customers by ID, deleted ones included, in no particular order. */
    findByIds(ids: readonly string[]): Promise<CustomerRow[]> {
      return preparedSelect<CustomerRow>(
        db,
        'customers.findByIds',
        () => sql`select ${columnsOf(customers)} from ${customers}
          where ${customers.companyId} = ${param('companyId')} and ${customers.id} = any(${param('ids')}::text[])`,
      )({ companyId, ids });
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
      const variant = [filter.updatedFrom, filter.updatedBefore, filter.phone, after]
        .map((part) => (part === undefined || part === null ? 0 : 1))
        .join('');
      return preparedSelect<CustomerRow>(db, `customers.page.${variant}`, () => {
        const conditions = listConditions(filter, false);
        if (after) {
          conditions.push(
            sql`(${customers.lastUpdatedTime}, ${customers.id}) > (${param('afterTime')}::timestamptz, ${param('afterId')})`,
          );
        }
        return sql`select ${columnsOf(customers)} from ${customers} where ${and(...conditions)}
          order by ${customers.lastUpdatedTime}, ${customers.id} limit ${param('limit')}`;
      })({
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
        .where(and(...listConditions(filter)));
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
