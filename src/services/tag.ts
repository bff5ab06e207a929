// Tags: a per-company catalog (names unique case-insensitively, the first spelling wins) and
// the tags applied to each customer. Applying a tag the customer already has is a no-op, also
// under concurrent appends: unique constraints with ON CONFLICT, never read-then-write.
import type { CustomerRow, TagRow } from '../db/schema.js';
import { Violations } from '../errors.js';
import { groupByKeys } from '../lib/batch.js';
import { isIdOf } from '../lib/ids.js';
import { requireScope, type ServiceContext } from './context.js';
import { parseTags, type TagInput } from './customer-input.js';
import { changeCustomer, requireCustomer, resolveTags } from './customer-write.js';

export interface AppendCustomerTagsInput {
  customerId: string;
  tags: readonly TagInput[];
}

export function tagService(serviceContext: ServiceContext) {
  const { principal, repos } = serviceContext;

  async function listForCustomers(customerIds: readonly string[]): Promise<TagRow[][]> {
    const rows = await repos.tags.listByCustomerIds(customerIds);
    return groupByKeys(customerIds, rows, (row) => row.customerId);
  }

  return {
    /** Catalog tags by ID (any order; unknown and foreign IDs are left out). */
    findByIds(ids: readonly string[]): Promise<TagRow[]> {
      requireScope(principal, 'customers:read');
      const wanted = ids.filter((id) => isIdOf('tag', id));
      return wanted.length > 0 ? repos.tags.findByIds(wanted) : Promise.resolve([]);
    },

    /** Batch: the tags of each customer, ordered by name. */
    listForCustomers,

    /** ListCustomerTags: every tag applied to the customer, ordered by name. */
    async list(customerId: string): Promise<TagRow[]> {
      requireScope(principal, 'customers:read');
      await requireCustomer(repos, customerId);
      return (await listForCustomers([customerId]))[0] ?? [];
    },

    /**
     * AppendCustomerTags: applies 1..100 tags by name (found or created) or ID (must exist in the
     * company). Returns each requested tag as applied, in request order without repeats.
     */
    async append(
      input: AppendCustomerTagsInput,
    ): Promise<{ tags: TagRow[]; customer: CustomerRow }> {
      requireScope(principal, 'customers:write');
      const v = new Violations();
      if (input.tags.length === 0) v.add('input.tags', 'must have at least one tag');
      const refs = parseTags(v, 'input.tags', input.tags);
      v.throwIfAny();
      const { value, customer } = await changeCustomer(
        serviceContext,
        input.customerId,
        async ({ tx, customer: current, actor, now }) => {
          const tags = await resolveTags(tx, refs, actor, now);
          const linked = await tx.tags.link(
            current.id,
            tags.map((tag) => tag.id),
            actor,
            now,
          );
          // Tags the customer already had change nothing, and leave lastUpdatedTime alone.
          return { value: tags, changed: linked > 0 };
        },
      );
      return { tags: value, customer };
    },
  };
}

export type TagService = ReturnType<typeof tagService>;
