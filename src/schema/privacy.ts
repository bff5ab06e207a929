// customerDataExport: every stored fact about one customer, as JSON (services/privacy.ts).
import type { CustomerDataExport as Export } from '../services/privacy.js';
import { builder } from './builder.js';

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
