import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type CustomerRow, customers, customerTags } from '../db/schema.js';
import type { KeysetPosition } from '../lib/cursor.js';
import { microsToIso } from '../lib/time.js';
import { anyOf, columnsOf, param, preparedSelect } from './sql.js';

export type NewCustomer = Omit<typeof customers.$inferInsert, 'companyId'>;
export type CustomerPatch = Partial<Omit<NewCustomer, 'id' | 'createdBy' | 'createdTime'>>;

export interface CustomerListFilter {
  /** Inclusive lower bound of lastUpdatedTime, RFC 3339. */
  updatedFrom?: string;
  /** Exclusive upper bound of lastUpdatedTime, RFC 3339. */
  updatedBefore?: string;
  /** E.164. */
  phone?: string;
  status?: 'ACTIVE' | 'INACTIVE';
  preferredBusinessId?: string;
  /** Customers carrying every one of these tags (distinct IDs). */
  tagIds?: string[];
  /** Archived (deleted) customers too. */
  includeArchived?: boolean;
}

export type CustomerOrderField = 'LAST_UPDATED_TIME' | 'CREATED_TIME' | 'NAME';

export interface CustomerOrder {
  field: CustomerOrderField;
  direction: 'ASC' | 'DESC';
}

/** The sync order, the upstream's: the default. */
export const SYNC_ORDER: CustomerOrder = { field: 'LAST_UPDATED_TIME', direction: 'ASC' };

/**
 * Names sort case-insensitively, byte-wise (the same on every server, whatever its locale), the
 * expressions the name index is built on (db/schema.ts customers_name_idx).
 */
const lastNameKey = sql`lower(${customers.lastName}) collate "C"`;
const firstNameKey = sql`lower(${customers.firstName}) collate "C"`;

export function customerRepository(db: Database, companyId: string) {
  /** The list's conditions, with placeholders for its values (see `listValues`). */
  const listConditions = (filter: CustomerListFilter): SQL[] => {
    const conditions = [sql`${customers.companyId} = ${param('companyId')}`];
    if (!filter.includeArchived) conditions.push(sql`${customers.deleted} = false`);
    if (filter.updatedFrom !== undefined) {
      conditions.push(sql`${customers.lastUpdatedTime} >= ${param('updatedFrom')}`);
    }
    if (filter.updatedBefore !== undefined) {
      conditions.push(sql`${customers.lastUpdatedTime} < ${param('updatedBefore')}`);
    }
    if (filter.phone !== undefined) conditions.push(sql`${customers.phone} = ${param('phone')}`);
    if (filter.status !== undefined) {
      conditions.push(sql`${customers.status} = ${param('status')}::customer_status`);
    }
    if (filter.preferredBusinessId !== undefined) {
      conditions.push(sql`${customers.preferredBusinessId} = ${param('preferredBusinessId')}`);
    }
    if (filter.tagIds !== undefined) {
      // Each candidate's tags by the primary key (company, customer, tag): all of them present.
      conditions.push(sql`(select count(*) from ${customerTags}
        where ${customerTags.companyId} = ${customers.companyId}
          and ${customerTags.customerId} = ${customers.id}
          and ${customerTags.tagId} = any(${param('tagIds')}::text[])) = ${param('tagCount')}`);
    }
    return conditions;
  };

  /** The placeholders' values. */
  const listValues = (filter: CustomerListFilter) => ({
    companyId,
    ...filter,
    tagCount: filter.tagIds?.length,
  });

  /** Which conditions the filter has: a prepared statement per combination. */
  const variantOf = (filter: CustomerListFilter) =>
    [
      filter.updatedFrom,
      filter.updatedBefore,
      filter.phone,
      filter.status,
      filter.preferredBusinessId,
      filter.tagIds,
      filter.includeArchived || undefined,
    ]
      .map((part) => (part === undefined ? 0 : 1))
      .join('');

  /** The order's sort key, and where a page after `afterId`'s row starts. */
  const keyset = (order: CustomerOrder) => {
    const after = order.direction === 'ASC' ? sql.raw('>') : sql.raw('<');
    if (order.field === 'NAME') {
      return {
        keys: [lastNameKey, firstNameKey, sql`${customers.id}`],
        // The cursor holds the row's ID (names do not fit in it): its names are read here.
        start: sql`(${lastNameKey}, ${firstNameKey}, ${customers.id}) ${after} (
          select ${lastNameKey}, ${firstNameKey}, ${customers.id} from ${customers}
          where ${customers.companyId} = ${param('companyId')} and ${customers.id} = ${param('afterId')})`,
      };
    }
    const time = order.field === 'CREATED_TIME' ? customers.createdTime : customers.lastUpdatedTime;
    return {
      keys: [sql`${time}`, sql`${customers.id}`],
      start: sql`(${time}, ${customers.id}) ${after} (${param('afterTime')}::timestamptz, ${param('afterId')})`,
    };
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
     * Up to `limit` customers after `after` in the order (its keys, then the ID): a keyset page,
     * as cheap deep in the list as at its start.
     */
    page(
      filter: CustomerListFilter,
      order: CustomerOrder,
      after: KeysetPosition | null,
      limit: number,
    ): Promise<CustomerRow[]> {
      return preparedSelect<CustomerRow>(
        db,
        `customers.page.${order.field}.${order.direction}.${variantOf(filter)}.${after ? 1 : 0}`,
        () => {
          const conditions = listConditions(filter);
          const { keys, start } = keyset(order);
          if (after) conditions.push(start);
          const direction = sql.raw(order.direction === 'ASC' ? 'asc' : 'desc');
          return sql`select ${columnsOf(customers)} from ${customers} where ${and(...conditions)}
            order by ${sql.join(
              keys.map((key) => sql`${key} ${direction}`),
              sql`, `,
            )} limit ${param('limit')}`;
        },
      )({
        ...listValues(filter),
        afterTime: after ? microsToIso(after.micros) : undefined,
        afterId: after?.id,
        limit,
      });
    },

    async count(filter: CustomerListFilter): Promise<number> {
      const [row] = await preparedSelect<{ n: number }>(
        db,
        `customers.count.${variantOf(filter)}`,
        () =>
          sql`select count(*)::int as n from ${customers} where ${and(...listConditions(filter))}`,
      )(listValues(filter));
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

    /** Moves the customers' lastUpdatedTime (a change of what they carry, e.g. a tag deleted). */
    async touch(ids: readonly string[], actor: string, now: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(customers)
        .set({ lastUpdatedBy: actor, lastUpdatedTime: now })
        .where(and(eq(customers.companyId, companyId), anyOf(customers.id, ids)));
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
