// Imports every type module (each registers its types, queries and mutations), then builds.
import { lexicographicSortSchema } from 'graphql';
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
