// Customer.complianceHistory (the append-only consent audit trail) and Customer.canContact.
import type { ComplianceChangeRow } from '../db/schema.js';
import { builder } from './builder.js';
import { ComplianceChannel, connection } from './common.js';
import { Customer, customerPagesField } from './customer.js';

const ComplianceChange = builder.objectRef<ComplianceChangeRow>('ComplianceChange').implement({
  authScopes: { 'customers:read': true },
  description: "One field of a customer's compliance config changing value.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The change ID (cch_…).' }),
    field: t.exposeString('field', { description: 'e.g. isConsented, serviceRelatedChannels' }),
    oldValue: t.expose('oldValue', {
      type: 'JSON',
      nullable: true,
      description: 'The value before; null when the customer was created with this change.',
    }),
    newValue: t.expose('newValue', {
      type: 'JSON',
      nullable: true,
      description: 'The value after.',
    }),
    actor: t.exposeID('actor', { description: 'Staff ID or API key ID.' }),
    changedTime: t.expose('changedTime', { type: 'DateTime', description: 'When it changed.' }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The request that changed it.',
    }),
    ip: t.exposeString('ip', { nullable: true, description: "The client's IP address." }),
    userAgent: t.exposeString('userAgent', {
      nullable: true,
      description: "The client's User-Agent.",
    }),
  }),
});

const ComplianceChangeConnection = connection('ComplianceChange', ComplianceChange, {
  connection: "A page of a customer's compliance changes, newest first.",
  edge: 'A compliance change and its cursor.',
  totalCount: 'All changes of the customer; counted only when selected.',
});

const ContactPurpose = builder.enumType('ContactPurpose', {
  description: 'Why the business wants to contact a customer.',
  values: {
    SERVICE: { description: 'Service-related notifications (appointments, pick-up).' },
    MARKETING: { description: 'Marketing campaigns.' },
  },
});

const ContactDecision = builder
  .objectRef<{ allowed: boolean; reason: string }>('ContactDecision')
  .implement({
    authScopes: { 'customers:read': true },
    description: 'Whether a contact is allowed, and why.',
    fields: (t) => ({
      allowed: t.exposeBoolean('allowed', {
        description: 'Whether the business may contact the customer.',
      }),
      reason: t.exposeString('reason', { description: 'The rule that decided, in words.' }),
    }),
  });

customerPagesField(
  'complianceHistory',
  'complianceHistory',
  ComplianceChangeConnection,
  'Append-only audit trail of compliance changes, newest first.',
);

builder.objectFields(Customer, (t) => ({
  canContact: t.field({
    type: ContactDecision,
    description:
      'Whether the business may contact this customer on a channel for a purpose, and why.',
    args: {
      channel: t.arg({ type: ComplianceChannel, required: true, description: 'The channel.' }),
      purpose: t.arg({
        type: ContactPurpose,
        required: true,
        description: 'SERVICE or MARKETING.',
      }),
    },
    resolve: (customer, { channel, purpose }, ctx) =>
      ctx.services.compliance.canContact(customer, channel, purpose),
  }),
}));
