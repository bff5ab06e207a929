import { and, eq, getTableColumns, not, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { customerTags, type TagRow, tags } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { anyOf, columnsOf, param, preparedSelect } from './sql.js';

export type CustomerTagRow = TagRow & { customerId: string };

// The company's tag catalog and the links between customers and tags. Every write is one
// statement that a unique constraint makes safe under concurrency (ON CONFLICT), never a
// read followed by a write.
export function tagRepository(db: Database, companyId: string) {
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
      if (tagIds.length === 0) return [];
      const rows = await db
        .insert(customerTags)
        .values(
          tagIds.map((tagId) => ({
            companyId,
            customerId,
            tagId,
            createdBy: actor,
            createdTime: now,
          })),
        )
        .onConflictDoNothing()
        .returning({ tagId: customerTags.tagId });
      return rows.map((row) => row.tagId);
    },

    /** Removes every tag of the customer that is not in `keep`; gives the IDs removed. */
    async unlinkAllBut(customerId: string, keep: readonly string[]): Promise<string[]> {
      const rows = await db
        .delete(customerTags)
        .where(
          and(
            eq(customerTags.companyId, companyId),
            eq(customerTags.customerId, customerId),
            not(anyOf(customerTags.tagId, keep)),
          ),
        )
        .returning({ tagId: customerTags.tagId });
      return rows.map((row) => row.tagId);
    },
  };
}

export type TagRepository = ReturnType<typeof tagRepository>;
