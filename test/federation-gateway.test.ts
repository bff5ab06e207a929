// customer-graph in a federated company graph: a real Hive Gateway (@graphql-hive/gateway-runtime
// with @graphql-mesh/transport-http) on a free port, over customer-graph's /graphql/subgraph and an
// in-test appointments subgraph that extends Customer with `appointments` and points back at it
// with `Appointment.customer`. The supergraph is composed from the subgraphs' SDL
// (@theguild/federation-composition), the caller's credential is forwarded to customer-graph.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphSdl } from '../src/schema/index.js';
import { createPetOwners } from './helpers/customers.js';
import { graphql, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

interface Appointment {
  id: string;
  service: string;
  customerId: string;
}

const appointments: Appointment[] = [];
const customerIds: string[] = [];
/** What customer-graph's subgraph was sent: `_entities` calls and their representations. */
const sent = { entitiesCalls: 0, representations: 0, authorizations: new Set<string>() };
const servers: Server[] = [];
let company: TestCompany;
let gatewayUrl: string;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Reads the request's body, counts what it asks of customer-graph, and hands it on. */
function counting(
  handle: (req: IncomingMessage, res: Parameters<typeof env.app.handle>[1]) => void,
) {
  return (req: IncomingMessage, res: Parameters<typeof env.app.handle>[1]) => {
    if (req.headers.authorization) sent.authorizations.add(req.headers.authorization);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (body.includes('_entities')) {
        sent.entitiesCalls += 1;
        const parsed = JSON.parse(body) as { variables?: { representations?: unknown[] } };
        sent.representations += parsed.variables?.representations?.length ?? 0;
      }
    });
    handle(req, res);
  };
}

const ask = <T = Record<string, unknown>>(query: string, token: string | null = company.token) =>
  graphql<T>(
    { fetch: (request) => fetch(new URL('/graphql', gatewayUrl), request) },
    query,
    {},
    { token },
  );

beforeAll(async () => {
  company = await newCompany(env);
  customerIds.push(...(await createPetOwners(company, 50)));
  customerIds.forEach((customerId, i) => {
    appointments.push({ id: `apt_${i}`, service: i % 2 ? 'grooming' : 'daycare', customerId });
  });

  const customersUrl = await listen(counting(env.app.handle));
  const appointmentsSdl = readFileSync(
    new URL('./fixtures/appointments.subgraph.graphql', import.meta.url),
    'utf8',
  );
  const appointmentsSchema = buildSubgraphSchema({
    typeDefs: parse(appointmentsSdl),
    resolvers: {
      Query: { appointments: () => appointments },
      Appointment: {
        startTime: () => '2026-12-24T09:00:00Z',
        customer: (a: Appointment) => ({ __typename: 'Customer', id: a.customerId }),
      },
      Customer: {
        __resolveReference: (ref: { id: string }) => ref,
        appointments: (c: { id: string }) => appointments.filter((a) => a.customerId === c.id),
      },
    },
  });
  const appointmentsUrl = await listen(
    createYoga({ schema: appointmentsSchema, logging: false, maskedErrors: false }),
  );

  const composed = composeServices([
    { name: 'customers', typeDefs: parse(subgraphSdl), url: `${customersUrl}/graphql/subgraph` },
    { name: 'appointments', typeDefs: parse(appointmentsSdl), url: `${appointmentsUrl}/graphql` },
  ]);
  if (composed.errors?.length || !composed.supergraphSdl) {
    throw new Error(`no supergraph: ${JSON.stringify(composed.errors)}`);
  }
  const gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    transports: { http: httpTransport },
    // The caller's credential goes to every subgraph: customer-graph decides what it may see.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        authorization: request.headers.get('authorization'),
      }),
    },
    logging: false,
  });
  gatewayUrl = await listen(gateway);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('a federation gateway over customer-graph and an appointments subgraph', () => {
  it('resolves 50 Appointment.customer references with one _entities call', async () => {
    sent.entitiesCalls = 0;
    sent.representations = 0;
    const response = await ask<{
      appointments: { id: string; customer: { id: string; firstName: string; phone: string } }[];
    }>('{ appointments { id customer { id firstName phone } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data!.appointments).toHaveLength(50);
    expect(response.data!.appointments[7]!.customer).toEqual({
      id: customerIds[7],
      firstName: 'Pet owner 7',
      phone: '+12125553007',
    });
    expect(sent.entitiesCalls).toBe(1);
    expect(sent.representations).toBe(50);
    expect(sent.authorizations).toContain(`Bearer ${company.token}`);
  });

  it('extends Customer with the other subgraph’s appointments', async () => {
    const response = await ask<{
      customer: { firstName: string; appointments: { id: string; service: string }[] };
    }>(`{ customer(id: "${customerIds[3]}") { firstName appointments { id service } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer).toEqual({
      firstName: 'Pet owner 3',
      appointments: [{ id: 'apt_3', service: 'grooming' }],
    });
  });

  it('keeps customer-graph’s error codes and its authentication', async () => {
    const missing = await ask('{ customer(id: "cus_nosuchcustomer") { id } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const anonymous = await ask('{ customer(id: "cus_x") { id } }', null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Another company's credential sees none of these customers through the gateway.
    const other = await newCompany(env);
    const foreign = await ask<{ appointments: { customer: { id: string } | null }[] }>(
      '{ appointments { id customer { id firstName } } }',
      other.token,
    );
    expect(JSON.stringify(foreign.data)).not.toContain('Pet owner');
  });
});
