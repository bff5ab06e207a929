// customer-graph as a subschema of a company graph: a real @graphql-tools/stitch gateway over
// customer-graph served on a free port (its SDL read from `_sdl`, the caller's credential
// forwarded) and an in-test `appointments` service that extends Customer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import type { Executor } from '@graphql-tools/utils';
import { buildSchema, type DocumentNode, Kind, parse, print, visit } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPetOwners, seedExample } from './helpers/customers.js';
import { graphql, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
const { stitchingDirectivesTypeDefs, stitchingDirectivesTransformer } = stitchingDirectives();

interface Appointment {
  id: string;
  service: string;
  customerId: string;
}

/** The appointments service: it knows customers only by ID. */
function appointmentsSchema(appointments: Appointment[]) {
  return makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      ${stitchingDirectivesTypeDefs}
      type Appointment {
        id: ID!
        service: String!
        customer: Customer!
      }
      type Customer @key(selectionSet: "{ id }") {
        id: ID!
        appointments: [Appointment!]!
      }
      type Query {
        appointments: [Appointment!]!
        _appointmentCustomers(ids: [ID!]!): [Customer]! @merge(keyField: "id")
      }
    `,
    resolvers: {
      Query: {
        appointments: () => appointments,
        _appointmentCustomers: (_root: unknown, { ids }: { ids: string[] }) =>
          ids.map((id) => ({ id })),
      },
      Appointment: { customer: (a: Appointment) => ({ id: a.customerId }) },
      Customer: {
        appointments: (c: { id: string }) => appointments.filter((a) => a.customerId === c.id),
      },
    },
  });
}

/** Counts the customersByIds fields in the documents sent to customer-graph. */
function countFields(document: DocumentNode, name: string): number {
  let n = 0;
  visit(document, {
    [Kind.FIELD]: (field) => {
      if (field.name.value === name) n += 1;
    },
  });
  return n;
}

let server: Server;
let company: TestCompany;
let gateway: { fetch(request: Request): Response | Promise<Response> };
const customerIds: string[] = [];
const appointments: Appointment[] = [];
const sent = { requests: 0, customersByIds: 0 };

/** Asks the gateway, as the test company unless told otherwise. */
const ask = <T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  token: string | null = company.token,
) => graphql<T>({ fetch: async (request) => gateway.fetch(request) }, query, variables, { token });

beforeAll(async () => {
  server = createServer(env.app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  company = await newCompany(env);
  customerIds.push(...(await createPetOwners(company, 50)));
  customerIds.forEach((customerId, i) => {
    appointments.push({ id: `apt_${i}`, service: i % 2 ? 'grooming' : 'daycare', customerId });
  });

  const http = buildHTTPExecutor({
    endpoint: `http://127.0.0.1:${port}/graphql`,
    // The gateway forwards the caller's credential; customer-graph decides what it may see.
    headers: (request): Record<string, string> => {
      const authorization = (request?.context as { authorization?: string } | undefined)
        ?.authorization;
      return authorization ? { authorization } : {};
    },
  });
  const customerGraph: Executor = (request) => {
    sent.requests += 1;
    sent.customersByIds += countFields(request.document, 'customersByIds');
    return http(request);
  };
  // The gateway reads the SDL once, with a credential of its own.
  const sdl = (await http({
    document: parse('{ _sdl }'),
    context: { authorization: `Bearer ${company.token}` },
  })) as { data?: { _sdl?: string } };
  if (!sdl.data?._sdl) throw new Error(`no _sdl: ${JSON.stringify(sdl)}`);

  gateway = createYoga({
    schema: stitchSchemas({
      subschemaConfigTransforms: [stitchingDirectivesTransformer],
      subschemas: [
        { schema: buildSchema(sdl.data._sdl), executor: customerGraph, batch: true },
        { schema: appointmentsSchema(appointments), batch: true },
      ],
    }),
    context: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    maskedErrors: false,
    logging: false,
  });
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('a stitching gateway over customer-graph and an appointments service', () => {
  it('serves the SDL with the stitching directives', async () => {
    const result = await company.gql('{ _sdl }');
    const sdl = (result.data as { _sdl: string })._sdl;
    expect(sdl).toMatch(
      /type Customer implements Node @key\(selectionSet: "\{ id \}"\) @canonical \{/,
    );
    expect(sdl).toContain('directive @key(selectionSet: String!) on OBJECT');
    const customersByIds = buildSchema(sdl).getQueryType()?.getFields().customersByIds;
    expect(customersByIds?.astNode && print(customersByIds.astNode)).toMatch(
      /: \[Customer\]! @merge\(keyField: "id"\)$/,
    );
  });

  it('goes from customer-graph to appointments', async () => {
    const result = await ask<{
      customer: { firstName: string; appointments: { id: string; service: string }[] };
    }>('query($id: ID!) { customer(id: $id) { id firstName email appointments { id service } } }', {
      id: customerIds[3],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.customer).toEqual({
      id: customerIds[3],
      firstName: 'Pet owner 3',
      email: 'john.doe@example.com',
      appointments: [{ id: 'apt_3', service: 'grooming' }],
    });
  });

  it('goes from appointments to customer-graph, merging 50 customers in one customersByIds call', async () => {
    const before = { ...sent };
    const result = await ask<{
      appointments: { id: string; customer: { id: string; firstName: string; phone: string } }[];
    }>('{ appointments { id customer { id firstName phone tags { name } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data?.appointments).toHaveLength(50);
    result.data?.appointments.forEach((appointment, i) => {
      expect(appointment).toEqual({
        id: `apt_${i}`,
        customer: {
          id: customerIds[i],
          firstName: `Pet owner ${i}`,
          phone: `+1212555${3000 + i}`,
          tags: [{ name: 'VIP' }],
        },
      });
    });
    expect(sent.customersByIds - before.customersByIds).toBe(1);
    expect(sent.requests - before.requests).toBe(1);
  });

  it("keeps customer-graph's error codes", async () => {
    const missing = await ask('{ customer(id: "cus_doesnotexist") { id firstName } }');
    expect(missing.data?.customer).toBeNull();
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.path).toEqual(['customer']);

    const anonymous = await ask(
      'query($id: ID!) { customer(id: $id) { id } }',
      { id: customerIds[0] },
      null,
    );
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const invalid = await ask(
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
      { input: { ...seedExample(1), companyId: company.id, phone: '12' } },
    );
    expect(invalid.errors?.[0]?.extensions?.code).toBe('INVALID_ARGUMENT');
    expect(invalid.errors?.[0]?.extensions?.fieldViolations).toEqual([
      expect.objectContaining({ field: 'input.phone' }),
    ]);
  });

  it("never shows another company's customers through the gateway", async () => {
    const other = await newCompany(env);
    const result = await ask<{ appointments: { customer: { firstName: string } | null }[] }>(
      '{ appointments { id customer { firstName } } }',
      undefined,
      other.token,
    );
    // Customer is non-null on Appointment: customer-graph gives null for a foreign ID.
    expect(JSON.stringify(result.data ?? {})).not.toContain('Pet owner');
  });
});
