import type { TagRow } from '../db/schema.js';
import { builder } from './builder.js';
import { Node } from './common.js';

export const CustomerTag = builder.objectRef<TagRow>('CustomerTag').implement({
  authScopes: { 'customers:read': true },
  description: 'A company-level label; applying the same name twice to a customer is a no-op.',
  interfaces: [Node],
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique in the company, case-insensitively.' }),
    customerCount: t.int({
      description:
        'Customers (not archived) that carry the tag; computed only when selected, batched.',
      resolve: (tag, _args, ctx) => ctx.loaders.tagCustomerCounts.load(tag.id),
    }),
    lastUpdatedBy: t.exposeID('lastUpdatedBy', {
      nullable: true,
      description: 'Who changed it last.',
    }),
    lastUpdatedTime: t.expose('lastUpdatedTime', {
      type: 'DateTime',
      description: 'When it was changed last.',
    }),
  }),
});
