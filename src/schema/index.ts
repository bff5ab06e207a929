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
import './card-on-file.js';
import './node.js';
import './stitching.js';

builder.queryType({ description: 'Reads. Every field needs the customers:read scope.' });
builder.mutationType({
  description: 'Writes. Every field needs the customers:write scope; each runs in one transaction.',
});

export const schema = builder.toSchema();

/** The schema as printed to schema.graphql (sorted, so diffs stay small). */
export const sortedSchema = lexicographicSortSchema(schema);
