// Webhooks against a local receiver (node:http) that verifies each signature with the
// standardwebhooks package: delivery in order per customer, retries after a 500 and a timeout
// then FAILED, redelivery, secret rotation (both secrets sign), refusal of private addresses
// (at registration and at delivery), and a worker that dies mid-delivery.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/app.js';
import { createLogger } from '../src/lib/logger.js';
import { deliveryQueue } from '../src/repositories/webhook.js';
import { webhookWorker } from '../src/services/webhook-delivery.js';
import { createCustomer, expectCode, updateCustomer } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
const logger = createLogger('silent');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver answering each request with the next planned reply (200 when none is left). */
function receiver() {
  const received: Received[] = [];
  const plan: ({ status: number } | { delayMs: number })[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const next = plan.shift() ?? { status: 200 };
      if ('delayMs' in next) setTimeout(() => response.writeHead(200).end(), next.delayMs);
      else response.writeHead(next.status).end();
    });
  });
  return {
    received,
    plan,
    server,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
  };
}

const hooks = receiver();
let url: string;
let app: App;
let worker: ReturnType<typeof webhookWorker>;

beforeAll(async () => {
  url = await hooks.listen();
  app = await env.makeApp({ webhookAllowPrivate: true });
  worker = webhookWorker(env.appDb, {
    logger,
    allowPrivate: true,
    scheduleS: [0.2, 0.2],
    timeoutMs: 300,
    leaseMs: 400,
  });
});

afterAll(() => {
  hooks.server.close();
});

const MANAGE = 'customers:read customers:write webhooks:manage';
const CREATE = /* GraphQL */ `
  mutation($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled } }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node {
    id eventId eventType attempts status lastResponseStatus lastError nextAttemptTime } } } }
`;

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  attempts: number;
  status: string;
  lastResponseStatus: number | null;
  lastError: string | null;
}

async function endpointFor(
  company: TestCompany,
  eventTypes = ['CUSTOMER_CREATED', 'CUSTOMER_UPDATED'],
  target = url,
) {
  const response = await company.gql<{
    createWebhookEndpoint: { secret: string; endpoint: { id: string } };
  }>(CREATE, { input: { companyId: company.id, url: target, eventTypes } }, { app });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.createWebhookEndpoint;
}

async function deliveriesOf(company: TestCompany, endpointId: string): Promise<Delivery[]> {
  const response = await company.gql<{ webhookDeliveries: { edges: { node: Delivery }[] } }>(
    DELIVERIES,
    { id: endpointId },
    { app },
  );
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.webhookDeliveries.edges.map((edge) => edge.node);
}

/** What the receiver got for this endpoint's company, verified with `secret`. */
const bodiesFor = (companyId: string) =>
  hooks.received.filter((r) => r.body.includes(`"companyId":"${companyId}"`));

const verified = (secret: string, request: Received) =>
  new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as { type: string; data: { id: string; customerId: string; cursor: string } };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhooks', () => {
  it('delivers each event of the types asked, signed, with the event ID as webhook-id', async () => {
    const company = await newCompany(env, { scope: MANAGE });
    const { secret, endpoint } = await endpointFor(company);
    expect(secret).toMatch(/^whsec_/);
    const customer = await createCustomer(company);
    await updateCustomer(company, { id: customer.id, companyId: company.id, firstName: 'Hooked' });
    await company.gql(
      `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id } } }`,
      { input: { customerId: customer.id, notes: [{ note: 'not a type it takes' }] } },
    );
    await worker.drain();

    const got = bodiesFor(company.id);
    expect(got).toHaveLength(2);
    const [created, updated] = got.map((request) => verified(secret, request));
    expect(created?.type).toBe('CUSTOMER_CREATED');
    expect(updated?.type).toBe('CUSTOMER_UPDATED');
    expect(got[0]!.headers['webhook-id']).toBe(created!.data.id);
    // A wrong secret does not verify.
    expect(() =>
      verified(`whsec_${Buffer.from('x'.repeat(24)).toString('base64')}`, got[0]!),
    ).toThrow();
    // The event's cursor resumes the stream after it.
    const after = await company.gql<{ customerEvents: { edges: { node: { type: string } }[] } }>(
      `query($c: ID!, $a: String) { customerEvents(companyId: $c, after: $a) { edges { node { type } } } }`,
      { c: company.id, a: created!.data.cursor },
    );
    expect(after.data?.customerEvents.edges[0]?.node.type).toBe('CUSTOMER_UPDATED');

    const deliveries = await deliveriesOf(company, endpoint.id);
    expect(deliveries.map((d) => [d.eventType, d.status, d.attempts])).toEqual([
      ['CUSTOMER_UPDATED', 'SUCCEEDED', 1],
      ['CUSTOMER_CREATED', 'SUCCEEDED', 1],
    ]);
    // The secret is never shown again.
    const listed = await company.gql<{ webhookEndpoints: unknown[] }>(
      'query($c: ID!) { webhookEndpoints(companyId: $c) { id url eventTypes enabled } }',
      { c: company.id },
    );
    expect(JSON.stringify(listed.data)).not.toContain('whsec_');
  });

  it('retries after a 500 and a timeout, in order per customer, then FAILED', async () => {
    const company = await newCompany(env, { scope: MANAGE });
    const { secret, endpoint } = await endpointFor(company, ['CUSTOMER_UPDATED']);
    const customer = await createCustomer(company);
    await updateCustomer(company, { id: customer.id, companyId: company.id, firstName: 'First' });
    await updateCustomer(company, { id: customer.id, companyId: company.id, firstName: 'Second' });

    hooks.plan.push({ status: 500 }, { delayMs: 1_000 });
    await worker.drain();
    // The first failed; the second waits for it.
    expect(bodiesFor(company.id)).toHaveLength(1);
    let [later, first] = await deliveriesOf(company, endpoint.id);
    expect(first).toMatchObject({ status: 'PENDING', attempts: 1, lastResponseStatus: 500 });
    expect(later).toMatchObject({ status: 'PENDING', attempts: 0 });

    await pause(300);
    await worker.drain();
    [later, first] = await deliveriesOf(company, endpoint.id);
    expect(first).toMatchObject({ status: 'PENDING', attempts: 2, lastResponseStatus: null });
    expect(first!.lastError).toMatch(/no answer within 300 ms/);

    await pause(300);
    await worker.drain();
    await pause(300);
    await worker.drain();
    [later, first] = await deliveriesOf(company, endpoint.id);
    expect(first).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
    expect(later).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    const names = bodiesFor(company.id).map(
      (request) =>
        (verified(secret, request) as unknown as { data: { changes: { newValue: string }[] } }).data
          .changes[0]!.newValue,
    );
    // At least once: the timed-out attempt was received too.
    expect(names).toEqual(['First', 'First', 'First', 'Second']);

    // Every attempt failing: FAILED after the schedule (1 + 2 retries).
    hooks.plan.push({ status: 500 }, { status: 502 }, { status: 503 });
    await updateCustomer(company, { id: customer.id, companyId: company.id, firstName: 'Never' });
    for (let i = 0; i < 3; i += 1) {
      await worker.drain();
      await pause(300);
    }
    const [failed] = await deliveriesOf(company, endpoint.id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, lastResponseStatus: 503 });
  });

  it('redelivers an event; after a rotation both secrets sign for a day', async () => {
    const company = await newCompany(env, { scope: MANAGE });
    const { secret: old, endpoint } = await endpointFor(company, ['CUSTOMER_CREATED']);
    await createCustomer(company);
    await worker.drain();
    const [delivery] = await deliveriesOf(company, endpoint.id);

    const rotated = await company.gql<{ rotateWebhookEndpointSecret: { secret: string } }>(
      'mutation($input: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $input) { secret } }',
      { input: { id: endpoint.id } },
      { app },
    );
    const fresh = rotated.data!.rotateWebhookEndpointSecret.secret;
    expect(fresh).not.toBe(old);
    const again = await company.gql<{ redeliverWebhookEvent: { delivery: { status: string } } }>(
      'mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { delivery { status } } }',
      { input: { endpointId: endpoint.id, eventId: delivery!.eventId } },
      { app },
    );
    expect(again.data?.redeliverWebhookEvent.delivery.status).toBe('PENDING');
    await worker.drain();
    const got = bodiesFor(company.id);
    expect(got).toHaveLength(2);
    expect(got[1]!.headers['webhook-id']).toBe(delivery!.eventId);
    expect(String(got[1]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(fresh, got[1]!).data.id).toBe(delivery!.eventId);
    expect(verified(old, got[1]!).data.id).toBe(delivery!.eventId);
  });

  it('a delivery claimed by a worker that died is sent when its lease ends', async () => {
    const company = await newCompany(env, { scope: MANAGE });
    const { endpoint } = await endpointFor(company, ['CUSTOMER_CREATED']);
    await createCustomer(company);
    // A worker claims it and is gone before sending.
    const claimed = await deliveryQueue(env.store.db).claim(100, 400);
    expect(claimed.some((d) => d.companyId === company.id)).toBe(true);
    await worker.drain();
    expect(bodiesFor(company.id)).toHaveLength(0);
    await pause(500);
    await worker.drain();
    expect(bodiesFor(company.id)).toHaveLength(1);
    const [delivery] = await deliveriesOf(company, endpoint.id);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('refuses private, loopback and link-local addresses, at registration and at delivery', async () => {
    const company = await newCompany(env, { scope: MANAGE });
    const refuse = async (target: string) => {
      const response = await company.gql(CREATE, {
        input: { companyId: company.id, url: target, eventTypes: ['CUSTOMER_CREATED'] },
      });
      expectCode(response, 'INVALID_ARGUMENT');
      expect(response.errors?.[0]?.extensions?.fieldViolations?.[0]?.field).toBe('input.url');
    };
    await refuse('https://169.254.169.254/latest/meta-data');
    await refuse('https://localhost/hooks');
    await refuse('https://10.1.2.3/hooks');
    await refuse(url); // http:// and loopback
    // Registered where private addresses are allowed, they are still refused by a worker that
    // does not allow them: an address in the URL, and a name that resolves to one when the
    // worker connects (as after DNS rebinding).
    const byAddress = await endpointFor(company, ['CUSTOMER_CREATED']);
    const byName = await endpointFor(
      company,
      ['CUSTOMER_CREATED'],
      url.replace('127.0.0.1', 'localhost'),
    );
    await createCustomer(company);
    const strict = webhookWorker(env.appDb, { logger, allowPrivate: false, scheduleS: [] });
    await strict.drain();
    expect(bodiesFor(company.id)).toHaveLength(0);
    const reasons: Record<string, RegExp> = {
      [byAddress.endpoint.id]: /127\.0\.0\.1 is a private address/,
      [byName.endpoint.id]: /localhost resolves to a private address/,
    };
    for (const { endpoint } of [byAddress, byName]) {
      const [delivery] = await deliveriesOf(company, endpoint.id);
      expect(delivery?.status).toBe('FAILED');
      expect(delivery?.lastError).toMatch(reasons[endpoint.id]!);
    }
  });

  it('needs webhooks:manage', async () => {
    const company = await newCompany(env);
    const response = await company.gql(
      CREATE,
      { input: { companyId: company.id, url, eventTypes: ['CUSTOMER_CREATED'] } },
      { app },
    );
    expectCode(response, 'PERMISSION_DENIED');
  });
});
