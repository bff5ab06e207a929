// Subscriptions on the real server: over graphql-ws (WebSocket) and SSE at /graphql. On
// PostgreSQL the writes come through another process (this test's app on the same database),
// so the server hears of them only by NOTIFY; on PGlite through the server itself. A WebSocket
// subscriber that disconnects and resubscribes with its last cursor misses nothing; a bad
// credential closes the socket with 4403; SIGTERM ends every stream with UNAVAILABLE.
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  isPostgres,
  mintJwt,
  newCompany,
  TEST_JWT_SECRET,
  type TestCompany,
  useTestEnv,
} from './helpers/env.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const env = useTestEnv();
/** How long the server waits on a client that stopped reading before it disconnects it. */
const STALL_MS = 1_000;
const scratch = serverScratch('subscriptions');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    ...scratch.env,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    CLIENT_STALL_MS: String(STALL_MS),
  });
}, 120_000);

afterAll(async () => {
  if (server.process.exitCode === null) await server.stop();
  scratch.remove();
});

const SUBSCRIBE = `subscription($companyId: ID!, $after: String) {
  customerEvents(companyId: $companyId, after: $after) { id type cursor changes { field newValue } } }`;

interface Event {
  id: string;
  type: string;
  cursor: string;
  changes: { field: string; newValue: unknown }[];
}

/** A write as another process would make it on PostgreSQL; through the server itself on PGlite. */
async function write(company: TestCompany, query: string, variables: Record<string, unknown>) {
  if (isPostgres) {
    const response = await company.gql(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data as Record<string, unknown>;
  }
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${company.token}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: Record<string, unknown>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const rename = (company: TestCompany, id: string, firstName: string) =>
  write(
    company,
    `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }`,
    { input: { id, companyId: company.id, firstName } },
  );

/** A customer of the company, created where the server can see it. */
async function customerOf(company: TestCompany): Promise<string> {
  const data = await write(
    company,
    `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`,
    {
      input: {
        companyId: company.id,
        preferredBusinessId: 'biz_1',
        firstName: 'A',
        lastName: 'B',
        phone: '+12125551234',
      },
    },
  );
  return (data as { createCustomer: { customer: { id: string } } }).createCustomer.customer.id;
}

function wsClient(token: string, onClosed?: (code: number) => void): Client {
  return createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
}

/** Collects a subscription's events; `take(n)` waits (3 s at most) until n have come. */
function follow(client: Client, companyId: string, after?: string) {
  const events: Event[] = [];
  const errors: unknown[] = [];
  let changed: () => void = () => {};
  const stop = client.subscribe<{ customerEvents: Event }>(
    { query: SUBSCRIBE, variables: { companyId, ...(after ? { after } : {}) } },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        if (message.data) events.push(message.data.customerEvents);
        changed();
      },
      error: (error) => {
        errors.push(error);
        changed();
      },
      complete: () => changed(),
    },
  );
  return {
    events,
    errors,
    stop,
    async take(n: number) {
      const deadline = Date.now() + 3_000;
      while (events.length < n && errors.length === 0) {
        if (Date.now() > deadline) throw new Error(`${events.length} of ${n} events within 3 s`);
        await new Promise<void>((resolve) => {
          changed = resolve;
          setTimeout(resolve, 100);
        });
      }
      return events.slice(0, n);
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('subscriptions on the real server', () => {
  it('graphql-ws: streams committed writes, and resumes from the last cursor', async () => {
    const company = await newCompany(env);
    const customerId = await customerOf(company);
    const client = wsClient(company.token);
    const first = follow(client, company.id);
    await settle();
    await rename(company, customerId, 'One');
    await rename(company, customerId, 'Two');
    const [one, two] = await first.take(2);
    expect(one).toMatchObject({
      type: 'CUSTOMER_UPDATED',
      changes: [{ field: 'firstName', newValue: 'One' }],
    });
    expect(two?.changes[0]?.newValue).toBe('Two');
    first.stop();
    await client.dispose();

    await rename(company, customerId, 'Three');
    const again = wsClient(company.token);
    const resumed = follow(again, company.id, two!.cursor);
    const [three] = await resumed.take(1);
    expect(three?.changes[0]?.newValue).toBe('Three');
    await rename(company, customerId, 'Four');
    const all = await resumed.take(2);
    expect(all.map((event) => event.changes[0]?.newValue)).toEqual(['Three', 'Four']);
    expect(new Set([one, two, ...all].map((event) => event!.id)).size).toBe(4);
    resumed.stop();
    await again.dispose();
  });

  it('graphql-ws: a bad credential closes the socket with 4403; another company is refused', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = wsClient('not-a-token', resolve);
      follow(client, 'cmp_x');
    });
    expect(closed).toBe(4403);

    const company = await newCompany(env);
    const stranger = wsClient(await mintJwt({ companyId: 'cmp_stranger' }));
    const refused = follow(stranger, company.id);
    await refused.take(1).catch(() => {});
    expect(JSON.stringify(refused.errors)).toContain('PERMISSION_DENIED');
    await stranger.dispose();
  });

  it('a subscriber that stops reading is disconnected after CLIENT_STALL_MS', async () => {
    const company = await newCompany(env);
    const customerId = await customerOf(company);
    const subscriber = request(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${company.token}`,
      },
    });
    subscriber.end(JSON.stringify({ query: SUBSCRIBE, variables: { companyId: company.id } }));
    const [response] = (await once(subscriber, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(200);
    await once(response, 'data');
    // The client reads no more: the server's writes fill the socket's buffers (a few MB on
    // loopback), then wait on it.
    response.pause();
    const closed = new Promise<string>((resolve) => {
      response.once('close', () => resolve('closed'));
      response.once('end', () => resolve('ended'));
    });
    const append = `mutation($input: AppendCustomerNotesInput!) {
      appendCustomerNotes(input: $input) { notes { id } } }`;
    const notes = Array.from({ length: 50 }, (_, i) => ({ note: `${i} ${'x'.repeat(9_990)}` }));
    for (let i = 0; i < 24; i += 1) {
      await write(company, append, { input: { customerId, notes } });
    }
    const logged = /closing a connection whose client stopped reading/;
    const deadline = Date.now() + 15_000;
    while (!logged.test(server.stderr()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(server.stderr()).toMatch(logged);
    // What was buffered is readable; the stream then stops, without its `complete` event.
    let received = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      received += chunk;
    });
    response.resume();
    response.on('error', () => {});
    expect(await closed).toBeTruthy();
    expect(received).not.toMatch(/event: complete/);
    expect(received.length).toBeLessThan(24 * 50 * 10_000);
  }, 60_000);

  it('SSE on the real server hears writes too; SIGTERM ends every stream with UNAVAILABLE', async () => {
    const company = await newCompany(env);
    const customerId = await customerOf(company);
    const client = wsClient(company.token);
    const ws = follow(client, company.id);
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${company.token}`,
      },
      body: JSON.stringify({ query: SUBSCRIBE, variables: { companyId: company.id } }),
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const read = async (until: RegExp) => {
      const deadline = Date.now() + 5_000;
      while (!until.test(text)) {
        if (Date.now() > deadline) throw new Error(`SSE: no ${until} in ${text}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    };
    await settle();
    await rename(company, customerId, 'Live');
    await read(/"newValue":"Live"/);
    await ws.take(1);

    const exited = server.stop();
    await read(/UNAVAILABLE/);
    expect(text).toMatch(/subscribe again with the last cursor/);
    const deadline = Date.now() + 3_000;
    while (!JSON.stringify(ws.errors).includes('UNAVAILABLE') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(JSON.stringify(ws.errors)).toContain('UNAVAILABLE');
    expect(await exited).toBe(0);
    await client.dispose();
  });
});
