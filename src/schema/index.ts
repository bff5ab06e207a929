// Imports every type module (each registers its types, queries and mutations), then builds.
import { printSubgraphSchema } from '@apollo/subgraph';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { type GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './common.js';
import './address.js';
import './note.js';
import './tag.js';
import './customer.js';
import './customer-notes.js';
import './customer-tags.js';
import './compliance.js';
import './events.js';
import './webhooks.js';
import './card-on-file.js';
import './node.js';
import './rate-limit.js';
import './privacy.js';
import './stitching.js';
import './federation.js';

builder.queryType({
  description: 'Reads. Every field that returns stored data needs the customers:read scope.',
  authScopes: { 'customers:read': true },
});
builder.mutationType({
  description:
    'Writes. Every field needs the customers:write scope; each runs in one transaction. Its ' +
    'payload reads stored data only with customers:read, except the IDs it returns.',
  authScopes: { 'customers:write': true },
});

builder.subscriptionType({
  description:
    'Live streams, over SSE (Accept: text/event-stream) and graphql-ws on /graphql; each needs customers:read.',
  authScopes: { 'customers:read': true },
});

export const schema = builder.toSchema();

/**
 * The same schema without its scope checks, for documents whose principal holds every scope they
 * could ask for (graphql/execution.ts); never served otherwise.
 */
export const uncheckedSchema = builder.toSchema({ disableScopeAuth: true });

/** The schema as printed to schema.graphql (sorted, so diffs stay small). */
export const sortedSchema = lexicographicSortSchema(schema);

/** The Federation version the subgraph links. */
const FEDERATION = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The schema as an Apollo Federation v2 subgraph (schema/federation.ts): the same types and
 * fields with `_entities` and `_service`, without `_sdl` (stitching's own entry point, which a
 * federated graph would otherwise expose). `_service` answers the SDL of what is served.
 */
function subgraphOf(
  built: GraphQLSchema,
  printed?: string,
): { schema: GraphQLSchema; sdl: string } {
  const served = mapSchema(built, {
    [MapperKind.QUERY_ROOT_FIELD]: (field, name) => (name === '_sdl' ? null : field),
  });
  const sdl = printed ?? printSubgraphSchema(served);
  const schema = mapSchema(served, {
    [MapperKind.QUERY_ROOT_FIELD]: (field, name) =>
      name === '_service' ? { ...field, resolve: () => ({ sdl }) } : field,
  });
  return { schema, sdl };
}

const subgraph = subgraphOf(builder.toSubGraphSchema({ linkUrl: FEDERATION }));
export const subgraphSchema = subgraph.schema;
// The same types without scope checks: the same SDL, not printed again.
export const uncheckedSubgraphSchema = subgraphOf(
  builder.toSubGraphSchema({ linkUrl: FEDERATION, disableScopeAuth: true }),
  subgraph.sdl,
).schema;
/** The subgraph's SDL, as printed to subgraph.graphql and answered by `_service`. */
export const subgraphSdl = subgraph.sdl;
