// customer-graph as an Apollo Federation v2 subgraph at /graphql/subgraph: Customer is an entity
// keyed by id, `_entities` resolves 50 references in one statement, the subgraph's SDL composes
// with a sample subgraph, and /graphql stays free of the federation fields.
import { readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { subgraphSdl } from '../src/schema/index.js';
import { createCustomer } from './helpers/customers.js';
import { graphql, newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
const SUBGRAPH = { path: '/graphql/subgraph' };

const ENTITIES = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Customer { id firstName } }
  }
`;

describe('the federation subgraph', () => {
  it('serves its SDL with Customer @key(fields: "id"), and /graphql has no federation fields', async () => {
    const company = await newCompany(env);
    const service = await company.gql<{ _service: { sdl: string } }>(
      '{ _service { sdl } }',
      {},
      SUBGRAPH,
    );
    expect(service.errors).toBeUndefined();
    const sdl = service.data!._service.sdl;
    expect(sdl).toBe(subgraphSdl);
    expect(sdl).toMatch(/type Customer implements Node\s+@key\(fields: "id"\)/);
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    // Stitching's entry point and directives stay on /graphql's _sdl.
    expect(sdl).not.toContain('_sdl');
    expect(sdl).not.toContain('selectionSet');

    const fields = async (path?: string) => {
      const response = await company.gql<{
        __schema: { queryType: { fields: { name: string }[] } };
      }>('{ __schema { queryType { fields { name } } } }', {}, path ? { path } : {});
      return response.data!.__schema.queryType.fields.map((f) => f.name);
    };
    const frontends = await fields();
    expect(frontends).not.toContain('_entities');
    expect(frontends).not.toContain('_service');
    expect(frontends).toContain('_sdl');
    const federated = await fields(SUBGRAPH.path);
    expect(federated).toEqual(expect.arrayContaining(['_entities', '_service', 'customer']));
    expect(federated).not.toContain('_sdl');

    // The stitching SDL is as it was: its own @key, no federation one.
    const stitching = await company.gql<{ _sdl: string }>('{ _sdl }');
    expect(stitching.data!._sdl).toMatch(
      /type Customer implements Node @key\(selectionSet: "\{ id \}"\) @canonical/,
    );
    expect(stitching.data!._sdl).not.toContain('fields: "id"');
  });

  it('resolves 50 references with one statement; another company’s resolve to null', async () => {
    const company = await newCompany(env);
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      ids.push((await createCustomer(company, { firstName: `Ada${i}` })).id);
    }
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    env.sql.length = 0;
    const response = await company.gql<{ _entities: ({ id: string; firstName: string } | null)[] }>(
      ENTITIES,
      {
        representations: [
          ...ids.map((id) => ({ __typename: 'Customer', id })),
          { __typename: 'Customer', id: theirs.id },
        ],
      },
      SUBGRAPH,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities.slice(0, 50).map((c) => c?.id)).toEqual(ids);
    expect(response.data!._entities[2]!.firstName).toBe('Ada2');
    expect(response.data!._entities[50]).toBeNull();
    expect(env.sql.filter((s) => /from "customers"/.test(s))).toHaveLength(1);
    // The same limits: the response carries its cost.
    expect(response.extensions?.cost).toBeDefined();
  });

  it('takes the same credentials: none is UNAUTHENTICATED, a write-only key is refused', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const anonymous = await graphql(env.app, ENTITIES, { representations: [] }, SUBGRAPH);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const writer = await newCompany(env, { id: company.id, scope: 'customers:write' });
    const refused = await writer.gql(
      ENTITIES,
      { representations: [{ __typename: 'Customer', id: customer.id }] },
      SUBGRAPH,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(refused)).not.toContain(customer.firstName);
  });

  it('composes with a sample subgraph that extends Customer', () => {
    const appointments = readFileSync(
      new URL('./fixtures/appointments.subgraph.graphql', import.meta.url),
      'utf8',
    );
    const result = composeServices([
      { name: 'customers', typeDefs: parse(subgraphSdl), url: 'http://customers/graphql/subgraph' },
      { name: 'appointments', typeDefs: parse(appointments), url: 'http://appointments/graphql' },
    ]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.supergraphSdl).toContain('appointments: [Appointment!]!');
  });
});
