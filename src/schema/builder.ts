// The Pothos builder: plugins, scalars, Relay conventions and who may read what. No types are
// defined here.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth';
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
import { SCOPES, type Scope } from '../auth/principal.js';
import type { Context } from '../context.js';
import { PermissionDenied } from '../errors.js';
import { toIsoMillis } from '../lib/time.js';

export interface SchemaTypes {
  Context: Context;
  /** The scopes of API.md, as they are spelt in credentials: `authScopes: { 'customers:read': true }`. */
  AuthScopes: Record<Scope, boolean>;
  DefaultFieldNullability: false;
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
}

/** The builder's types, as Pothos completes them (for typing refs outside the builder). */
export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;

/** The first scope an authorization failure names (for its message). */
function missingScope(failure: AuthFailure): string | null {
  if (failure.kind === AuthScopeFailureType.AuthScope) return failure.scope;
  if (
    failure.kind === AuthScopeFailureType.AllAuthScopes ||
    failure.kind === AuthScopeFailureType.AnyAuthScopes
  ) {
    for (const child of failure.failures) {
      const scope = missingScope(child);
      if (scope) return scope;
    }
  }
  return null;
}

export const builder = new SchemaBuilder<SchemaTypes>({
  // Scope checks wrap the resolvers of the other plugins, so scope-auth comes first.
  // Federation after the plugins that wrap resolvers (its own docs' order).
  plugins: [ScopeAuthPlugin, ComplexityPlugin, RelayPlugin, DirectivesPlugin, FederationPlugin],
  // What each field costs, declared on the field (`complexity`), counted in nodes as GitHub
  // does: only page sizes and lists of IDs cost (graphql/query-cost.ts counts and enforces).
  complexity: { disabled: true, defaultComplexity: 0, defaultListMultiplier: 1 },
  // Who may do what is declared on the schema: `authScopes` on types (every field of the type,
  // unless it says skipTypeScopes) and on fields. Only plain maps of scopes to `true`: the
  // execution (graphql/execution.ts) skips the checks for a principal holding them all.
  scopeAuth: {
    // A subscription is refused when it starts, not at its first event.
    authorizeOnSubscribe: true,
    authScopes: ({ principal }) => {
      const held = {} as Record<Scope, boolean>;
      for (const scope of SCOPES) held[scope] = principal.scopes.has(scope);
      return held;
    },
    unauthorizedError: (_parent, _ctx, info, result) =>
      new PermissionDenied(
        `${info.parentType.name}.${info.fieldName} needs the ${missingScope(result.failure) ?? 'right'} scope`,
      ),
  },
  // Keyed by name in extensions, the form @graphql-tools' printSchemaWithDirectives reads.
  directives: { useGraphQLToolsUnorderedDirectives: true },
  defaultFieldNullability: false,
  // The relay plugin gives PageInfo. Node, connections and edges are defined in common.ts with
  // plain fields: a resolver per id, edge and node would cost a call (and, compiled by graphql-jit,
  // a resolve-info object) per item of every page.
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    pageInfoTypeOptions: { description: 'Where a page sits in its list (Relay).' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether this page was asked for after a cursor.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: {
      description: 'The upstream nextPageToken: pass it back as `after`.',
    },
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
