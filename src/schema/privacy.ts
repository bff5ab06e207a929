// customerDataExport and eraseCustomer (services/privacy.ts).
import type { EraseCustomerInput as EraseCustomerInputShape } from '../services/input-rules.js';
import type { CustomerDataExport as Export } from '../services/privacy.js';
import { builder } from './builder.js';
import { afterWrite, type Implements } from './common.js';

const CustomerDataExport = builder.objectRef<Export>('CustomerDataExport').implement({
  authScopes: { 'customers:read': true },
  description:
    'Everything stored about one customer (a data subject access request), as JSON: never a token, hash or secret.',
  fields: (t) => ({
    customerId: t.exposeID('customerId', { description: 'The customer (cus_…).' }),
    generatedTime: t.expose('generatedTime', {
      type: 'DateTime',
      description: 'When the export was read.',
    }),
    customer: t.expose('customer', {
      type: 'JSON',
      description: 'Customer fields, addresses, preference, compliance config.',
    }),
    notes: t.expose('notes', { type: ['JSON'], description: 'Every note, oldest first.' }),
    tags: t.expose('tags', {
      type: ['JSON'],
      description: 'The tags applied, with who applied them and when.',
    }),
    complianceHistory: t.expose('complianceHistory', {
      type: ['JSON'],
      description: 'The consent and contact-preference trail, oldest first.',
    }),
    events: t.expose('events', {
      type: ['JSON'],
      description: "The customer's change events still kept (EVENT_RETENTION_DAYS), oldest first.",
    }),
    cardOnFileLinks: t.expose('cardOnFileLinks', {
      type: ['JSON'],
      description: 'Card-on-file links (status and times, never tokens).',
    }),
  }),
});

builder.queryField('customerDataExport', (t) =>
  t.field({
    type: CustomerDataExport,
    nullable: true,
    description:
      'Every stored fact about the customer, as JSON an operator can hand over. Null plus a NOT_FOUND error when absent or in another company.',
    args: { id: t.arg.id({ required: true, description: 'The customer (cus_…).' }) },
    resolve: (_root, { id }, ctx) => ctx.services.privacy.exportCustomer(id),
  }),
);

const EraseCustomerInput = builder.inputType('EraseCustomerInput', {
  description: 'Which customer to erase, and why.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The customer (cus_…).' }),
    reason: t.string({
      required: true,
      description: "Why (recorded in the erasure's event), e.g. the request's ticket.",
    }),
  }),
});
const _eraseImplements: Implements<typeof EraseCustomerInput.$inferInput, EraseCustomerInputShape> =
  true;

const EraseCustomerPayload = builder
  .objectRef<{ erasedCustomerId: string; erasedTime: Date }>('EraseCustomerPayload')
  .implement({
    description: 'The result of eraseCustomer.',
    fields: (t) => ({
      erasedCustomerId: t.exposeID('erasedCustomerId', {
        description: 'The customer, now a tombstone (deleted: true, INACTIVE).',
      }),
      erasedTime: t.expose('erasedTime', {
        type: 'DateTime',
        description: 'When it was erased (the first time, for a repeated call).',
      }),
    }),
  });

builder.mutationField('eraseCustomer', (t) =>
  t.field({
    type: EraseCustomerPayload,
    // Needs customers:erase, and only it: not the Mutation's customers:write.
    skipTypeScopes: true,
    authScopes: { 'customers:erase': true },
    description:
      'Right to erasure (GDPR Art. 17): removes personal data for good; needs customers:erase.',
    args: {
      input: t.arg({ type: EraseCustomerInput, required: true, description: 'The customer.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.privacy.erase(input)),
  }),
);
