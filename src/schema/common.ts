// Enums and inputs shared by several types.

import type { ObjectRef } from '@pothos/core';
import type { Context } from '../context.js';
import type {
  AddressTypeValue,
  ComplianceChannelValue,
  CustomerStatusValue,
} from '../db/schema.js';
import { kindOfId } from '../lib/ids.js';
import type { Page } from '../lib/page.js';
import { type BuilderTypes, builder } from './builder.js';

// The GraphQL enums carry the database's values as their names; `satisfies` keeps the two equal.
export const CustomerStatus = builder.enumType('CustomerStatus', {
  description: 'Whether the customer is currently served.',
  values: {
    ACTIVE: { description: 'A current customer.' },
    INACTIVE: { description: 'No longer served; kept for history.' },
  } satisfies Record<CustomerStatusValue, unknown>,
});

export const AddressType = builder.enumType('AddressType', {
  description: 'The role of an address.',
  values: {
    PRIMARY: { description: 'The main address; at most one per customer.' },
    SECONDARY: { description: 'Any further address.' },
  } satisfies Record<AddressTypeValue, unknown>,
});

export const ComplianceChannel = builder.enumType('ComplianceChannel', {
  description: 'A channel through which the business may contact a customer.',
  values: {
    COMPLIANCE_CHANNEL_SMS: { description: 'SMS text messages.' },
    COMPLIANCE_CHANNEL_EMAIL: { description: 'E-mail.' },
    COMPLIANCE_CHANNEL_AUTO_CALL: { description: 'Automated phone calls.' },
  } satisfies Record<ComplianceChannelValue, unknown>,
});

export const IntervalInput = builder.inputType('IntervalInput', {
  description: 'A time range: startTime inclusive, endTime exclusive; equal bounds match nothing.',
  fields: (t) => ({
    startTime: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    endTime: t.field({ type: 'DateTime', description: 'Exclusive.' }),
  }),
});

/** A connection's cost: its page size, and that many times what each item asks for. */
export const pageCost = ({ first }: { first?: number | null }) => {
  const size = Math.max(0, first ?? 0);
  return { field: size, multiplier: size };
};

/** A list of IDs' cost: its length, and that many times what each item asks for. */
export const idsCost = ({ ids }: { ids: readonly string[] }) => ({
  field: ids.length,
  multiplier: ids.length,
});

/** Page size arguments of every list: `first` (1..500) and an `after` cursor. */
export const DEFAULT_PAGE_SIZE = 20;

/** The prefix of an ID names its GraphQL type. */
const NODE_TYPES: Partial<Record<string, string>> = {
  customer: 'Customer',
  note: 'CustomerNote',
  tag: 'CustomerTag',
  event: 'CustomerEvent',
  webhookEndpoint: 'WebhookEndpoint',
};

export const Node = builder.interfaceRef<{ id: string }>('Node').implement({
  description: 'An object with a type-prefixed, globally unique ID (cus_…, cxn_…, ctg_…).',
  resolveType: (node) => {
    const kind = kindOfId(node.id);
    return (kind && NODE_TYPES[kind]) ?? null;
  },
  fields: (t) => ({
    // The IDs a mutation returns are what a write-only credential may read back.
    id: t.exposeID('id', {
      skipTypeScopes: true,
      description: 'The type-prefixed ID; also its Relay global ID.',
    }),
  }),
});

/**
 * A Relay connection (and its edge) over a service Page. Plain fields only: edges and nodes are
 * read, not resolved, so a page of 500 costs no call per item.
 */
export function connection<T>(
  name: string,
  node: ObjectRef<BuilderTypes, T>,
  /** Without a totalCount description, the connection has no totalCount. */
  descriptions: { connection: string; edge: string; totalCount?: string },
) {
  const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    description: descriptions.edge,
    fields: (t) => ({
      cursor: t.exposeString('cursor', {
        description: 'Opaque position of this item; pass it as `after`.',
      }),
      node: t.expose('node', { type: node, description: 'The item.' }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    description: descriptions.connection,
    fields: (t) => ({
      edges: t.expose('edges', {
        type: [Edge],
        description: 'The items of this page, each with its cursor.',
      }),
      pageInfo: t.expose('pageInfo', {
        type: builder.pageInfoRef(),
        description: 'Pagination state of this page.',
      }),
      ...(descriptions.totalCount === undefined
        ? {}
        : {
            totalCount: t.int({
              description: descriptions.totalCount,
              resolve: (page) => page.totalCount(),
            }),
          }),
    }),
  });
}

/**
 * After a mutation has written, what the request loaded before may be stale: a later field (or a
 * later mutation of the same document) must read what was written, so the request gets new
 * loaders. Loads already under way still answer their fields.
 */
export function afterWrite<T>(ctx: Context, value: T): T {
  ctx.loaders = ctx.loaders.renewed();
  return value;
}

/** An input's shape with every field present and non-null, lists by their items. */
type FieldsOf<T> = T extends readonly (infer Item)[]
  ? FieldsOf<Item>[]
  : T extends Date
    ? T
    : T extends object
      ? { [K in keyof T]-?: FieldsOf<NonNullable<T[K]>> }
      : T;

/**
 * True when a GraphQL input type (its Pothos-inferred shape) takes exactly what the service's
 * rules take (services/input-rules.ts): the same fields at every depth, of the same types, and
 * required where the rules require them. Checked by the compiler where each input is defined:
 * `const _: Implements<typeof SomeInput.$inferInput, SomeRules> = true`.
 */
export type Implements<GraphQLInput, Rules> = [GraphQLInput] extends [Rules]
  ? [FieldsOf<GraphQLInput>] extends [FieldsOf<Rules>]
    ? [FieldsOf<Rules>] extends [FieldsOf<GraphQLInput>]
      ? true
      : never
    : never
  : never;

/** The description of every mutation input's idempotencyKey (services/idempotency.ts). */
export const IDEMPOTENCY_KEY =
  'Retrying with the same key (per company, 24 hours, 1..255 characters) returns the first result instead of writing again; the same key with other arguments is INVALID_ARGUMENT, while the first still runs ABORTED.';
