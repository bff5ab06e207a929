// `_sdl`: this service as a schema-stitching subschema. The SDL carries the directives of
// @graphql-tools/stitching-directives (@key and @canonical on Customer, @merge on
// customersByIds), so that a gateway built with stitchingDirectivesTransformer merges Customer
// across services through one customersByIds call per batch.
//
// The directives are put on the printed copy only, not on the types the builder makes: the
// federation subgraph (schema/federation.ts) has an @key of its own (`fields: "id"`), and
// Apollo's subgraph printer refuses directives it does not know. Each SDL gets its own set.

import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { MapperKind, mapSchema, printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLObjectType, type GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';

const printed = new WeakMap<GraphQLSchema, string>();

/** The schema with exactly the stitching directives on Customer and customersByIds. */
function withStitchingDirectives(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      if (type.name !== 'Customer') return type;
      const config = type.toConfig();
      // The printer reads the AST node's directives too: the built type's (federation's @key) go.
      return new GraphQLObjectType({
        ...config,
        astNode: undefined,
        extensions: {
          ...config.extensions,
          directives: { key: { selectionSet: '{ id }' }, canonical: {} },
        },
      });
    },
    [MapperKind.QUERY_ROOT_FIELD]: (field, name) =>
      name === 'customersByIds'
        ? {
            ...field,
            extensions: { ...field.extensions, directives: { merge: { keyField: 'id' } } },
          }
        : field,
  });
}

/** The schema's SDL with its stitching directives and their definitions (printed once). */
function stitchingSdl(schema: GraphQLSchema): string {
  let sdl = printed.get(schema);
  if (sdl === undefined) {
    const { stitchingDirectivesTypeDefs } = stitchingDirectives();
    sdl = `${stitchingDirectivesTypeDefs}\n\n${printSchemaWithDirectives(lexicographicSortSchema(withStitchingDirectives(schema)))}\n`;
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
