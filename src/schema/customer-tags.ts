// The upstream's tag operations: ListCustomerTags and AppendCustomerTags.
import type { CustomerRow, TagRow } from '../db/schema.js';
import type { AppendCustomerTagsInput as AppendCustomerTagsInputShape } from '../services/input-rules.js';
import { builder } from './builder.js';
import { afterWrite, type Implements } from './common.js';
import { Customer, loadCustomer, TagInput } from './customer.js';
import { CustomerTag } from './tag.js';

builder.queryField('customerTags', (t) =>
  t.field({
    type: [CustomerTag],
    description: 'ListCustomerTags: every tag applied to a customer, ordered by name.',
    args: { customerId: t.arg.id({ required: true, description: 'The customer (cus_…).' }) },
    resolve: async (_root, { customerId }, ctx) => {
      const [tags] = await Promise.all([
        ctx.loaders.tagsOfCustomers.load(customerId),
        loadCustomer(ctx, customerId),
      ]);
      return tags;
    },
  }),
);

const AppendCustomerTagsInput = builder.inputType('AppendCustomerTagsInput', {
  description: 'AppendCustomerTags: tags to apply to one customer.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
    tags: t.field({
      type: [TagInput],
      required: true,
      description:
        '1..100 tags, by name (found or created) or by id; ones already applied are kept as they are.',
    }),
  }),
});
const _appendCustomerTagsImplements: Implements<
  typeof AppendCustomerTagsInput.$inferInput,
  AppendCustomerTagsInputShape
> = true;

const AppendCustomerTagsPayload = builder
  .objectRef<{ tags: TagRow[]; customer: CustomerRow }>('AppendCustomerTagsPayload')
  .implement({
    description: 'The result of appendCustomerTags.',
    fields: (t) => ({
      tags: t.expose('tags', {
        type: [CustomerTag],
        description: 'Each requested tag as applied, in the order given.',
      }),
      customer: t.expose('customer', {
        type: Customer,
        description: 'The customer with all its tags.',
      }),
    }),
  });

builder.mutationField('appendCustomerTags', (t) =>
  t.field({
    type: AppendCustomerTagsPayload,
    description:
      'AppendCustomerTags: applies tags to a customer; applying one it already has is a no-op.',
    args: {
      input: t.arg({ type: AppendCustomerTagsInput, required: true, description: 'The tags.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.tags.append(input)),
  }),
);
