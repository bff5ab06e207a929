import { and, eq, getTableColumns, not, type SQL, sql } from 'drizzle-orm';
import { insertRows } from '../db/bulk.js';
import type { Database } from '../db/client.js';
import { customers, customerTags, type TagRow, tags } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { anyOf, columnsOf, param, preparedSelect } from './sql.js';

export type CustomerTagRow = TagRow & { customerId: string };

// The company's tag catalog and the links between customers and tags. Every write is one
// statement that a unique constraint makes safe under concurrency (ON CONFLICT), never a
// read followed by a write.
/** The catalog's names containing `contains` (lower-cased, literally), when given. */
const containing = (contains: string | null) =>
  contains === null ? sql`` : sql`and strpos(${tags.nameKey}, ${param('contains')}) > 0`;

export function tagRepository(db: Database, companyId: string) {
  /** Applies tags to customers in one statement; returns the pairs newly applied. */
  const linkMany = async (
    links: readonly { customerId: string; tagId: string }[],
    actor: string,
    now: string,
  ): Promise<{ customerId: string; tagId: string }[]> => {
    return insertRows<typeof customerTags, { customerId: string; tagId: string }>(
      db,
      customerTags,
      links.map(({ customerId, tagId }) => ({
        companyId,
        customerId,
        tagId,
        createdBy: actor,
        createdTime: now,
      })),
      { skipConflicts: true, returning: sql`customer_id as "customerId", tag_id as "tagId"` },
    );
  };

  /** Takes off the customer the tags `which` names; gives their IDs. */
  async function unlinkWhere(customerId: string, which: SQL): Promise<string[]> {
    const rows = await db
      .delete(customerTags)
      .where(
        and(eq(customerTags.companyId, companyId), eq(customerTags.customerId, customerId), which),
      )
      .returning({ tagId: customerTags.tagId });
    return rows.map((row) => row.tagId);
  }

  return {
    findByIds(ids: readonly string[]): Promise<TagRow[]> {
      return db
        .select()
        .from(tags)
        .where(and(eq(tags.companyId, companyId), anyOf(tags.id, ids)));
    },

    /**
     * The catalog tag of each name (matched case-insensitively), creating the missing ones. A
     * name created concurrently by another request is found, not duplicated: the first spelling
     * wins. Returns `requested` (the name as given) beside each tag, lower-cased by PostgreSQL.
     */
    async findOrCreateByNames(
      names: readonly string[],
      actor: string,
      now: string,
    ): Promise<(TagRow & { requested: string })[]> {
      if (names.length === 0) return [];
      await db
        .insert(tags)
        .values(
          names.map((name) => ({
            companyId,
            id: newId('tag'),
            name,
            createdBy: actor,
            createdTime: now,
            lastUpdatedBy: actor,
            lastUpdatedTime: now,
          })),
        )
        .onConflictDoNothing({ target: [tags.companyId, tags.nameKey] });
      return db
        .select({ ...getTableColumns(tags), requested: sql<string>`requested` })
        .from(sql`unnest(${sql.param(names)}::text[]) as requested`)
        .innerJoin(
          tags,
          and(eq(tags.companyId, companyId), sql`${tags.nameKey} = lower(requested)`),
        );
    },

    /** The tags of each customer, ordered by name. */
    listByCustomerIds(customerIds: readonly string[]): Promise<CustomerTagRow[]> {
      return preparedSelect<CustomerTagRow>(
        db,
        'tags.listByCustomerIds',
        () => sql`select ${columnsOf(tags, 'tags')}, ${customerTags.customerId} as "customerId"
          from ${customerTags} join ${tags}
            on ${tags.companyId} = ${customerTags.companyId} and ${tags.id} = ${customerTags.tagId}
          where ${customerTags.companyId} = ${param('companyId')}
            and ${customerTags.customerId} = any(${param('customerIds')}::text[])
          order by ${tags.nameKey}, ${tags.name}, ${tags.id}`,
      )({ companyId, customerIds });
    },

    /**
     * Applies the tags to the customer; tags it already has are left as they are. Returns the IDs
     * of those newly applied.
     */
    async link(
      customerId: string,
      tagIds: readonly string[],
      actor: string,
      now: string,
    ): Promise<string[]> {
      const rows = await linkMany(
        tagIds.map((tagId) => ({ customerId, tagId })),
        actor,
        now,
      );
      return rows.map((row) => row.tagId);
    },

    linkMany,

    /**
     * The catalog in name order after the tag `afterId` (its name read back: the cursor holds the
     * ID), whose names contain `contains` (lower-cased, matched literally), at most `limit`.
     */
    page(contains: string | null, afterId: string | null, limit: number): Promise<TagRow[]> {
      return preparedSelect<TagRow>(
        db,
        `tags.page.${contains === null ? 0 : 1}${afterId === null ? 0 : 1}`,
        () => sql`select ${columnsOf(tags)} from ${tags}
          where ${tags.companyId} = ${param('companyId')}
            ${containing(contains)}
            ${
              afterId === null
                ? sql``
                : sql`and (${tags.nameKey}, ${tags.id}) > (
                    select ${tags.nameKey}, ${tags.id} from ${tags}
                    where ${tags.companyId} = ${param('companyId')} and ${tags.id} = ${param('afterId')})`
            }
          order by ${tags.nameKey}, ${tags.id} limit ${param('limit')}`,
      )({ companyId, contains, afterId, limit });
    },

    /** How many tags the catalog's page would hold in all. */
    async count(contains: string | null): Promise<number> {
      const [row] = await preparedSelect<{ n: number }>(
        db,
        `tags.count.${contains === null ? 0 : 1}`,
        () => sql`select count(*)::int as n from ${tags}
          where ${tags.companyId} = ${param('companyId')}
            ${containing(contains)}`,
      )({ companyId, contains });
      return row?.n ?? 0;
    },

    /** Customers (not archived) carrying each tag; tags that none carries are left out. */
    customerCounts(tagIds: readonly string[]): Promise<{ tagId: string; n: number }[]> {
      return preparedSelect<{ tagId: string; n: number }>(
        db,
        'tags.customerCounts',
        () => sql`select ${customerTags.tagId} as "tagId", count(*)::int as n
          from ${customerTags} join ${customers}
            on ${customers.companyId} = ${customerTags.companyId} and ${customers.id} = ${customerTags.customerId}
          where ${customerTags.companyId} = ${param('companyId')}
            and ${customerTags.tagId} = any(${param('tagIds')}::text[]) and not ${customers.deleted}
          group by ${customerTags.tagId}`,
      )({ companyId, tagIds });
    },

    /**
     * Renames the tag; null when it does not exist. A name another tag has (case-insensitively)
     * violates the unique index: the caller finds which one.
     */
    async rename(id: string, name: string, actor: string, now: string): Promise<TagRow | null> {
      const [row] = await db
        .update(tags)
        .set({ name, lastUpdatedBy: actor, lastUpdatedTime: now })
        .where(and(eq(tags.companyId, companyId), eq(tags.id, id)))
        .returning();
      return row ?? null;
    },

    /** The tag whose name is this one, case-insensitively. */
    async findByName(name: string): Promise<TagRow | null> {
      const [row] = await db
        .select()
        .from(tags)
        .where(and(eq(tags.companyId, companyId), sql`${tags.nameKey} = lower(${name})`));
      return row ?? null;
    },

    /**
     * Deletes the tag and takes it off every customer; gives the customers that carried it, or
     * null when the tag does not exist.
     */
    async remove(id: string): Promise<{ tag: TagRow; customerIds: string[] } | null> {
      const unlinked = await db
        .delete(customerTags)
        .where(and(eq(customerTags.companyId, companyId), eq(customerTags.tagId, id)))
        .returning({ customerId: customerTags.customerId });
      const [tag] = await db
        .delete(tags)
        .where(and(eq(tags.companyId, companyId), eq(tags.id, id)))
        .returning();
      return tag ? { tag, customerIds: unlinked.map((row) => row.customerId) } : null;
    },

    /** Takes these tags off the customer; gives the IDs it carried (those removed). */
    unlink(customerId: string, tagIds: readonly string[]): Promise<string[]> {
      return tagIds.length === 0
        ? Promise.resolve([])
        : unlinkWhere(customerId, anyOf(customerTags.tagId, tagIds));
    },

    /** Removes every tag of the customer that is not in `keep`; gives the IDs removed. */
    unlinkAllBut(customerId: string, keep: readonly string[]): Promise<string[]> {
      return unlinkWhere(customerId, not(anyOf(customerTags.tagId, keep)));
    },
  };
}

export type TagRepository = ReturnType<typeof tagRepository>;
