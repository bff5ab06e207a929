import { and, eq, type SQL, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.js';
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
  /** filter.query's words: every one must match (services/customer.ts searchWords). */
  search?: SearchWord[];
}

/**
 * One word of a search: `text` (3 letters or digits or more) matches a word of the names or
 * e-mail that is similar (pg_trgm word similarity, typos tolerated: a prefix is, most infixes
 * are not); `short`
 * (1-2) starts a word; `exact` (with other characters: `jo@ex`, `50%`) is contained as it is;
 * `digits` is contained in the phone's digits. `value` is lower-cased, with LIKE's wildcards
 * and escape character escaped (matched as themselves); SQL folds its accents.
 */
export interface SearchWord {
  kind: 'text' | 'short' | 'exact' | 'digits';
  value: string;
}

/**
 * The word similarity a `text` word needs (pg_trgm.word_similarity_threshold, set for the
 * search's transaction): 0.4 takes a typo in a short word ("jon" is 0.5 of John, "smth" 0.4 of
 * Smith); the ranking puts closer matches first.
 */
const WORD_SIMILARITY = 0.4;

/** A word's placeholder, folded as the searched text is. */
const folded = (i: number) => sql`customer_search_fold(${param(`w${i}`)})`;

/** Whether the word matches, in a form the search index (customers_search_idx) serves. */
function wordMatches(word: SearchWord, i: number): SQL {
  if (word.kind === 'digits')
    return sql`${customers.phoneDigits} like '%' || ${param(`w${i}`)} || '%'`;
  if (word.kind === 'short') {
    return sql`(' ' || ${customers.searchText}) like '% ' || ${folded(i)} || '%'`;
  }
  if (word.kind === 'exact') return sql`${customers.searchText} like '%' || ${folded(i)} || '%'`;
  // Only the operator, no OR: the index then intersects every word's candidates (a BitmapAnd
  // in one index scan), 10 times fewer rows to check and rank than one word's (docs/search.md).
  return sql`${folded(i)} <% ${customers.searchText}`;
}

/**
 * How well the words match, as an integer (a cursor holds it): the sum of each word's score. A
 * text word scores its word similarity plus its strict word similarity, which prefers whole
 * words ("smith" is all of Smith's, and only part of Smithers').
 */
function searchRank(words: readonly SearchWord[]): SQL {
  const scores = words.map((word, i) =>
    word.kind === 'text'
      ? sql`word_similarity(${folded(i)}, ${customers.searchText}) + strict_word_similarity(${folded(i)}, ${customers.searchText})`
      : sql`1`,
  );
  return sql`round((${sql.join(scores, sql` + `)}) * 1000000)::int`;
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
    filter.search?.forEach((word, i) => {
      conditions.push(wordMatches(word, i));
    });
    return conditions;
  };

  /** The placeholders' values. */
  const listValues = (filter: CustomerListFilter) => ({
    companyId,
    ...filter,
    tagCount: filter.tagIds?.length,
    ...Object.fromEntries((filter.search ?? []).map((word, i) => [`w${i}`, word.value])),
  });

  /**
   * Runs the read where a search's similarity threshold holds: a transaction that sets it
   * locally (pooled connections keep no session setting), when a word needs it.
   */
  const searching = <T>(filter: CustomerListFilter, read: (on: Database) => Promise<T>) =>
    filter.search?.some((word) => word.kind === 'text')
      ? db.transaction(async (tx) => {
          await tx.execute(
            sql`select set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY)}, true)`,
          );
          return read(tx);
        })
      : read(db);

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
      .join('') + (filter.search ?? []).map((word) => word.kind[0]).join('');

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
      return searching(filter, (on) =>
        preparedSelect<CustomerRow>(
          on,
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
        }),
      );
    },

    /**
     * A search's page in rank order (best first, then by ID) after `after` (a rank and an ID):
     * the candidates come from the search index, their ranks are computed and sorted.
     */
    ranked(
      filter: CustomerListFilter & { search: SearchWord[] },
      after: KeysetPosition | null,
      limit: number,
    ): Promise<(CustomerRow & { searchRank: number })[]> {
      return searching(filter, (on) =>
        preparedSelect<CustomerRow & { searchRank: number }>(
          on,
          `customers.ranked.${variantOf(filter)}.${after ? 1 : 0}`,
          () => {
            const conditions = listConditions(filter);
            const rank = searchRank(filter.search);
            if (after) {
              conditions.push(
                sql`(${rank} < ${param('afterRank')} or (${rank} = ${param('afterRank')} and ${customers.id} > ${param('afterId')}))`,
              );
            }
            return sql`select ${columnsOf(customers)}, ${rank} as "searchRank" from ${customers}
              where ${and(...conditions)} order by "searchRank" desc, ${customers.id} limit ${param('limit')}`;
          },
        )({ ...listValues(filter), afterRank: after?.micros, afterId: after?.id, limit }),
      );
    },

    count(filter: CustomerListFilter): Promise<number> {
      return searching(filter, async (on) => {
        const [row] = await preparedSelect<{ n: number }>(
          on,
          `customers.count.${variantOf(filter)}`,
          () =>
            sql`select count(*)::int as n from ${customers} where ${and(...listConditions(filter))}`,
        )(listValues(filter));
        return row?.n ?? 0;
      });
    },

    /** Inserts the customers in one statement; returns their rows in the order given. */
    async insertMany(rows: readonly NewCustomer[]): Promise<CustomerRow[]> {
      if (rows.length === 0) return [];
      const inserted = await insertRows<typeof customers, CustomerRow>(
        db,
        customers,
        rows.map((row) => ({ ...row, companyId })),
        { returning: columnsOf(customers) },
      );
      const byId = new Map(inserted.map((row) => [row.id, row]));
      return rows.map((row) => {
        const found = byId.get(row.id!);
        if (!found) throw new Error(`insert returned no row for ${row.id}`);
        return found;
      });
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

    /**
     * Moves the customers' lastUpdatedTime and version (a change of what they carry, e.g. a tag
     * deleted).
     */
    async touch(ids: readonly string[], actor: string, now: string): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(customers)
        .set({ version: sql`${customers.version} + 1`, lastUpdatedBy: actor, lastUpdatedTime: now })
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
