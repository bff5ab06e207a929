// The Pothos builder: plugins, scalars and Relay conventions. No types are defined here.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLScalarType } from 'graphql';
import {
  DateTimeResolver,
  EmailAddressResolver,
  HexColorCodeResolver,
  JSONResolver,
  LatitudeResolver,
  LongitudeResolver,
  PhoneNumberResolver,
  URLResolver,
} from 'graphql-scalars';
import type { Context } from '../context.js';
import { kindOfId } from '../lib/ids.js';
import { toIsoMillis } from '../lib/time.js';

/** The GraphQL type of each ID prefix that names a node. */
const NODE_TYPES: Record<string, string> = {
  customer: 'Customer',
  note: 'CustomerNote',
  tag: 'CustomerTag',
};

export const builder = new SchemaBuilder<{
  Context: Context;
  /** Every connection can count its whole list, lazily (see services/page.ts). */
  Connection: { totalCount: () => Promise<number> };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    EmailAddress: { Input: string; Output: string };
    PhoneNumber: { Input: string; Output: string };
    HexColorCode: { Input: string; Output: string };
    URL: { Input: URL; Output: string };
    Latitude: { Input: number; Output: number };
    Longitude: { Input: number; Output: number };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // IDs are type-prefixed strings; the Relay global ID is the ID itself, typed by its prefix.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => {
      const kind = kindOfId(globalID);
      return { typename: (kind && NODE_TYPES[kind]) ?? 'Unknown', id: globalID };
    },
    nodeTypeOptions: {
      description: 'An object with a type-prefixed, globally unique ID (cus_…, cxn_…, ctg_…).',
      // The prefix of the ID names the type.
      resolveType: (node) => {
        const kind = kindOfId((node as { id: string }).id);
        return (kind && NODE_TYPES[kind]) ?? null;
      },
    },
    idFieldOptions: { description: 'The type-prefixed ID; also its Relay global ID.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its list (Relay).' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether this page was asked for after a cursor.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: {
      description: 'The upstream nextPageToken: pass it back as `after`.',
    },
    cursorFieldOptions: { description: 'Opaque position of this item; pass it as `after`.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    edgesFieldOptions: {
      nullable: false,
      description: 'The items of this page, each with its cursor.',
    },
    pageInfoFieldOptions: { description: 'Pagination state of this page.' },
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

// graphql-scalars' DateTime, also serialising the store's timestamptz text
// ("2024-08-01 12:00:00.123456+00"), so that resolvers can expose timestamps as they are.
builder.addScalarType(
  'DateTime',
  new GraphQLScalarType({
    ...DateTimeResolver.toConfig(),
    serialize: (value) =>
      typeof value === 'string' ? toIsoMillis(value) : DateTimeResolver.serialize(value),
  }),
);
builder.addScalarType('EmailAddress', EmailAddressResolver);
builder.addScalarType('PhoneNumber', PhoneNumberResolver, {
  description: 'A phone number, always in E.164 form on output (e.g. +12125551234).',
});
builder.addScalarType('HexColorCode', HexColorCodeResolver);
builder.addScalarType('URL', URLResolver);
builder.addScalarType('Latitude', LatitudeResolver);
builder.addScalarType('Longitude', LongitudeResolver);
builder.addScalarType('JSON', JSONResolver);
