// This service as an Apollo Federation v2 subgraph (API.md, "The company graph"): Customer is an
// entity keyed by `id`, resolved through the request's customer loader, so that a gateway's
// `_entities` call with 50 representations costs one statement. The subgraph schema is built by
// `subgraphOf` (schema/index.ts) and served at /graphql/subgraph; the frontends' /graphql
// schema has no `_entities` or `_service`.
import { PermissionDenied } from '../errors.js';
import { builder } from './builder.js';
import { Customer } from './customer.js';

builder.asEntity(Customer, {
  key: builder.selection<{ id: string }>('id'),
  // `_entities` is added by @apollo/subgraph after the build, outside Query's scope check: the
  // scope is checked here. Another company's ID resolves to null, as customer(id:) would.
  resolveReference: async ({ id }, ctx) => {
    if (!ctx.principal.scopes.has('customers:read')) {
      throw new PermissionDenied('Query._entities needs the customers:read scope');
    }
    return ctx.loaders.customers.load(id);
  },
});
