// The change stream: customerEvents (the company's committed changes, oldest first, resumable)
// and Customer.history (one customer's, newest first, batched like notes).
import type { CustomerEventRow } from '../db/schema.js';
import { EVENT_TYPES, eventCursor } from '../services/events.js';
import { builder } from './builder.js';
import { connection, Node, pageCost } from './common.js';
import { Customer, customerPagesField } from './customer.js';

const DESCRIPTIONS: Record<(typeof EVENT_TYPES)[number], string> = {
  CUSTOMER_CREATED: 'createCustomer: every field it was created with.',
  CUSTOMER_UPDATED: 'updateCustomer: the fields that changed value.',
  CUSTOMER_ARCHIVED: 'archiveCustomer.',
  CUSTOMER_RESTORED: 'restoreCustomer.',
  CUSTOMER_ERASED: 'eraseCustomer.',
  CUSTOMER_NOTES_APPENDED: 'appendCustomerNotes: notes.cxn_… from null to their text.',
  CUSTOMER_NOTE_UPDATED: 'updateCustomerNote: notes.cxn_… from the old text to the new.',
  CUSTOMER_NOTE_DELETED: 'deleteCustomerNote: notes.cxn_… from its text to null.',
  CUSTOMER_TAGS_APPLIED: 'appendCustomerTags: tags.ctg_… from null to the name, for new ones only.',
  CUSTOMER_TAGS_REMOVED: 'Tags removed: tags.ctg_… from the name to null.',
  CUSTOMER_COMPLIANCE_CHANGED:
    'updateCustomer that changed only complianceConfig fields (mixed changes are CUSTOMER_UPDATED).',
  CUSTOMER_COF_LINK_GENERATED:
    'generateCustomerCofLink: cofLinks.cof_… with its expiry (never the link).',
  CUSTOMER_COF_LINK_REDEEMED:
    'A card-on-file link redeemed (no actor: its holder has no credential).',
};

export const CustomerEventType = builder.enumType('CustomerEventType', {
  description: 'What happened to a customer.',
  values: Object.fromEntries(
    EVENT_TYPES.map((type) => [type, { description: DESCRIPTIONS[type] }]),
  ) as Record<(typeof EVENT_TYPES)[number], { description: string }>,
});

interface FieldChangeShape {
  field: string;
  oldValue: unknown;
  newValue: unknown;
}

const FieldChange = builder.objectRef<FieldChangeShape>('FieldChange').implement({
  authScopes: { 'customers:read': true },
  description: 'One field of a customer (or its note, tag, address, compliance) changing value.',
  fields: (t) => ({
    field: t.exposeString('field', {
      description:
        'Path such as firstName, address.city, complianceConfig.isConsented, tags, notes.cxn_…',
    }),
    oldValue: t.expose('oldValue', { type: 'JSON', nullable: true, description: 'Before.' }),
    newValue: t.expose('newValue', { type: 'JSON', nullable: true, description: 'After.' }),
  }),
});

export const CustomerEvent = builder.objectRef<CustomerEventRow>('CustomerEvent').implement({
  authScopes: { 'customers:read': true },
  description:
    'A committed change, delivered with the same id by customerEvents, the subscription and webhooks.',
  interfaces: [Node],
  fields: (t) => ({
    type: t.field({
      type: CustomerEventType,
      description: 'What happened.',
      resolve: (event) => event.type as (typeof EVENT_TYPES)[number],
    }),
    companyId: t.exposeID('companyId', { description: 'The company.' }),
    customerId: t.exposeID('customerId', { description: 'The customer (cus_…).' }),
    customer: t.field({
      type: Customer,
      nullable: true,
      description: 'The customer as it is now; null once erased.',
      resolve: (event, _args, ctx) => ctx.loaders.customers.load(event.customerId),
    }),
    changes: t.field({
      type: [FieldChange],
      description: 'What changed, field by field.',
      resolve: (event) => event.changes as FieldChangeShape[],
    }),
    actor: t.exposeID('actor', { nullable: true, description: 'Staff ID or API key ID.' }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The request that made the change (extensions.requestId of its answer).',
    }),
    occurredTime: t.expose('occurredTime', {
      type: 'DateTime',
      description: 'The write time (the customer’s lastUpdatedTime when the change moved it).',
    }),
    cursor: t.string({
      description: "Position in the company's stream; pass it as `after`.",
      resolve: eventCursor,
    }),
  }),
});

const CustomerEventConnection = connection('CustomerEvent', CustomerEvent, {
  connection: 'A page of change events.',
  edge: 'A change event and its cursor.',
});

const CustomerEventFilter = builder.inputType('CustomerEventFilter', {
  description: 'Which events: all of these that are given.',
  fields: (t) => ({
    types: t.field({
      type: [CustomerEventType],
      description: 'Only these types.',
    }),
    customerId: t.id({ description: 'Only this customer’s events.' }),
  }),
});

builder.queryField('customerEvents', (t) =>
  t.field({
    type: CustomerEventConnection,
    description:
      "The company's committed changes in commit order, oldest first; resumable with `after` (never skips a committed change).",
    complexity: pageCost,
    args: {
      companyId: t.arg.id({ required: true, description: 'Your company.' }),
      first: t.arg.int({ defaultValue: 100, description: 'Page size, 1..500.' }),
      after: t.arg.string({
        description: "A cursor of this stream (an edge's or an event's): the events after it.",
      }),
      filter: t.arg({ type: CustomerEventFilter, description: 'Which events.' }),
    },
    resolve: (_root, { companyId, first, after, filter }, ctx) =>
      ctx.services.events.list({ companyId, first: first ?? 100, after, filter }),
  }),
);

customerPagesField(
  'history',
  'history',
  CustomerEventConnection,
  'Every committed change of this customer, newest first: the same events as customerEvents.',
);

builder.subscriptionField('customerEvents', (t) =>
  t.field({
    type: CustomerEvent,
    description:
      "Replays the company's events after `after` (from now when absent), then streams each new one as it commits, in commit order, over SSE and graphql-ws. Resubscribe with the last cursor after a disconnect: nothing is skipped or repeated.",
    args: {
      companyId: t.arg.id({ required: true, description: 'Your company.' }),
      after: t.arg.string({ description: "An event's cursor: the events after it." }),
      filter: t.arg({ type: CustomerEventFilter, description: 'Which events.' }),
    },
    subscribe: (_root, args, ctx) => ctx.services.events.follow(args),
    // Each event reads its customer as it is now, not as the subscription first read it.
    resolve: (event, _args, ctx) => {
      ctx.loaders.customers.clear(event.customerId);
      return event;
    },
  }),
);
