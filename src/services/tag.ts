import type { TagRow } from '../db/schema.js';
import { groupByKeys } from '../lib/batch.js';
import { isIdOf } from '../lib/ids.js';
import { requireScope, type ServiceContext } from './context.js';

export function tagService({ principal, repos }: ServiceContext) {
  return {
    /** Catalog tags by ID (any order; unknown and foreign IDs are left out). */
    findByIds(ids: readonly string[]): Promise<TagRow[]> {
      requireScope(principal, 'customers:read');
      const wanted = ids.filter((id) => isIdOf('tag', id));
      return wanted.length > 0 ? repos.tags.findByIds(wanted) : Promise.resolve([]);
    },

    /** Batch: the tags of each customer, ordered by name. */
    async listForCustomers(customerIds: readonly string[]): Promise<TagRow[][]> {
      const rows = await repos.tags.listByCustomerIds(customerIds);
      return groupByKeys(customerIds, rows, (row) => row.customerId);
    },
  };
}

export type TagService = ReturnType<typeof tagService>;
