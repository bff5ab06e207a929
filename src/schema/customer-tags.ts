// The upstream's tag operations (ListCustomerTags, AppendCustomerTags), removing a customer's
// tags, and the company's catalogs: tags (list, rename, delete) and referral sources.
import type { CustomerRow, TagRow } from '../db/schema.js';
import type {
  AppendCustomerTagsInput as AppendCustomerTagsInputShape,
  RemoveCustomerTagsInput as RemoveCustomerTagsInputShape,
  RenameTagInput as RenameTagInputShape,
} from '../services/input-rules.js';
import { builder } from './builder.js';
import { afterWrite, connection, IDEMPOTENCY_KEY, type Implements, pageCost } from './common.js';
import { Customer, loadCustomer, ReferralSource, TagInput } from './customer.js';
import { CustomerTag } from './tag.js';

const CustomerTagConnection = connection('CustomerTag', CustomerTag, {
  connection: "A page of the company's tag catalog, in name order.",
  edge: 'A tag and its cursor.',
  totalCount: 'All tags matching the query; computed only when selected.',
});

builder.queryFields((t) => ({
  tags: t.field({
    type: CustomerTagConnection,
    description:
      "The company's tag catalog (upstream ListCustomerTags on the company), ordered by name; query filters by name.",
    complexity: pageCost,
    args: {
      companyId: t.arg.id({ required: true, description: 'Your company.' }),
      first: t.arg.int({ defaultValue: 100, description: 'Page size, 1..500.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
      query: t.arg.string({
        description: 'Tags whose name contains this, case-insensitively (1..100 characters).',
      }),
    },
    resolve: (_root, args, ctx) => ctx.services.tags.catalog({ ...args, first: args.first ?? 100 }),
  }),
  referralSources: t.field({
    type: [ReferralSource],
    description: "The company's referral sources, ordered by name.",
    args: { companyId: t.arg.id({ required: true, description: 'Your company.' }) },
    resolve: (_root, { companyId }, ctx) => ctx.services.tags.referralSources(companyId),
  }),
}));

const RemoveCustomerTagsInput = builder.inputType('RemoveCustomerTagsInput', {
  description: 'removeCustomerTags: tags to take off one customer.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
    tagIds: t.idList({
      required: true,
      description: '1..100 tag IDs; ones the customer does not carry change nothing.',
    }),
  }),
});
const _removeCustomerTagsImplements: Implements<
  typeof RemoveCustomerTagsInput.$inferInput,
  RemoveCustomerTagsInputShape
> = true;

const RenameTagInput = builder.inputType('RenameTagInput', {
  description: 'renameTag: a catalog tag and its new name.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The tag (ctg_…).' }),
    name: t.string({
      required: true,
      description: '1..100 characters after trimming; unique in the company, case-insensitively.',
    }),
  }),
});
const _renameTagImplements: Implements<typeof RenameTagInput.$inferInput, RenameTagInputShape> =
  true;

const DeleteTagInput = builder.inputType('DeleteTagInput', {
  description: 'deleteTag: the catalog tag to delete.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The tag (ctg_…).' }) }),
});

const RemoveCustomerTagsPayload = builder
  .objectRef<{ removedTagIds: string[]; customer: CustomerRow }>('RemoveCustomerTagsPayload')
  .implement({
    description: 'The result of removeCustomerTags.',
    fields: (t) => ({
      removedTagIds: t.exposeIDList('removedTagIds', {
        description: 'The tags the customer carried and no longer does.',
      }),
      customer: t.expose('customer', { type: Customer, description: 'The customer as it is now.' }),
    }),
  });

const RenameTagPayload = builder.objectRef<{ tag: TagRow }>('RenameTagPayload').implement({
  description: 'The result of renameTag.',
  fields: (t) => ({ tag: t.expose('tag', { type: CustomerTag, description: 'The tag renamed.' }) }),
});

const DeleteTagPayload = builder.objectRef<{ deletedTagId: string }>('DeleteTagPayload').implement({
  description: 'The result of deleteTag.',
  fields: (t) => ({
    deletedTagId: t.exposeID('deletedTagId', { description: 'The tag deleted.' }),
  }),
});

builder.mutationFields((t) => ({
  removeCustomerTags: t.field({
    type: RemoveCustomerTagsPayload,
    description:
      'Takes tags off a customer; removing one it does not carry changes nothing (idempotent).',
    args: {
      input: t.arg({ type: RemoveCustomerTagsInput, required: true, description: 'The tags.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.tags.removeFromCustomer(input)),
  }),
  renameTag: t.field({
    type: RenameTagPayload,
    description:
      "Renames a catalog tag: trimmed, unique case-insensitively (another tag's name is INVALID_ARGUMENT naming it).",
    args: { input: t.arg({ type: RenameTagInput, required: true, description: 'The tag.' }) },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { tag: await ctx.services.tags.rename(input) }),
  }),
  deleteTag: t.field({
    type: DeleteTagPayload,
    description:
      'Deletes a catalog tag: off every customer carrying it in one transaction (their lastUpdatedTime moves, one event each).',
    args: { input: t.arg({ type: DeleteTagInput, required: true, description: 'The tag.' }) },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, { deletedTagId: await ctx.services.tags.remove(input.id) }),
  }),
}));

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
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY }),
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
