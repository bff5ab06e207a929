// `_sdl`: this service as a schema-stitching subschema. The SDL carries the directives of
// @graphql-tools/stitching-directives (@key and @canonical on Customer, @merge on
// customersByIds), so that a gateway built with stitchingDirectivesTransformer merges Customer
// across services through one customersByIds call per batch.

import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { type GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';

const printed = new WeakMap<GraphQLSchema, string>();

/** The schema's SDL with its stitching directives and their definitions (printed once). */
function stitchingSdl(schema: GraphQLSchema): string {
  let sdl = printed.get(schema);
  if (sdl === undefined) {
    const { stitchingDirectivesTypeDefs } = stitchingDirectives();
    sdl = `${stitchingDirectivesTypeDefs}\n\n${printSchemaWithDirectives(lexicographicSortSchema(schema))}\n`;
    printed.set(schema, sdl);
  }
  return sdl;
}

builder.queryField('_sdl', (t) =>
  t.string({
    skipTypeScopes: true,
    description:
      "This service's schema in SDL with the stitching directives of " +
      '@graphql-tools/stitching-directives, for a stitching gateway. Any valid credential reads it.',
    resolve: (_root, _args, _ctx, info) => stitchingSdl(info.schema),
  }),
);
