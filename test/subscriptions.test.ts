// subscription customerEvents over SSE: authenticated like queries, scoped to the company; it
// replays after `after`, then streams each write as it commits; a subscriber that disconnects and
// resubscribes with its last cursor misses nothing and sees nothing twice; closing the app's
// subscriptions (a shutdown) ends each stream with UNAVAILABLE.
import { describe, expect, it } from 'vitest';
import type { App } from '../src/http/app.js';
import { createCustomer, updateCustomer } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const SUBSCRIBE = /* GraphQL */ `
  subscription Follow($companyId: ID!, $after: String) {
    customerEvents(companyId: $companyId, after: $after) {
      id type customerId cursor customer { firstName } changes { field newValue }
    }
  }
`;

interface Pushed {
  data?: {
    customerEvents: {
      id: string;
      type: string;
      customerId: string;
      cursor: string;
      customer: { firstName: string } | null;
      changes: { field: string; newValue: unknown }[];
    };
  };
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** An SSE subscription read message by message; `close()` disconnects. */
async function sse(
  app: App,
  company: TestCompany,
  variables: Record<string, unknown>,
  token: string | null = company.token,
) {
  const controller = new AbortController();
  const response = await app.fetch(
    new Request('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        query: SUBSCRIBE,
        variables: { companyId: company.id, ...variables },
      }),
      signal: controller.signal,
    }),
  );
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    response,
    /** The next `next` message (or the error that ended the stream), within 3 s: sooner than the
     * feed's poll interval (5 s), so a live event must have come by its notification. */
    async next(): Promise<Pushed | 'complete'> {
      const deadline = Date.now() + 3_000;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (\w+)/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event === 'complete') return 'complete';
          if (data) return JSON.parse(data) as Pushed;
          continue; // a keep-alive comment
        }
        if (Date.now() > deadline) throw new Error('no SSE message within 3 s');
        const { value, done } = await reader.read();
        if (done) return 'complete';
        buffer += value;
      }
    },
    close() {
      controller.abort();
      void reader.cancel().catch(() => {});
    },
  };
}

const rename = (company: TestCompany, id: string, firstName: string) =>
  updateCustomer(company, { id, companyId: company.id, firstName });

describe('subscription customerEvents (SSE)', () => {
  it('streams writes as they commit, and resumes from the last cursor with no gap or repeat', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    // From now: the creation is not replayed.
    const first = await sse(env.app, company, {});
    expect(first.response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rename(company, customer.id, 'One');
    const one = (await first.next()) as Pushed;
    expect(one.errors).toBeUndefined();
    expect(one.data?.customerEvents).toMatchObject({
      type: 'CUSTOMER_UPDATED',
      customerId: customer.id,
      customer: { firstName: 'One' },
      changes: [{ field: 'firstName', newValue: 'One' }],
    });
    await rename(company, customer.id, 'Two');
    const two = (await first.next()) as Pushed;
    expect(two.data?.customerEvents.customer?.firstName).toBe('Two');
    // Gone mid-stream; two more writes meanwhile.
    first.close();
    await rename(company, customer.id, 'Three');
    await rename(company, customer.id, 'Four');
    const again = await sse(env.app, company, { after: two.data!.customerEvents.cursor });
    const replayed = [(await again.next()) as Pushed, (await again.next()) as Pushed];
    expect(replayed.map((p) => p.data?.customerEvents.changes[0]?.newValue)).toEqual([
      'Three',
      'Four',
    ]);
    await rename(company, customer.id, 'Five');
    const live = (await again.next()) as Pushed;
    expect(live.data?.customerEvents.changes[0]?.newValue).toBe('Five');
    again.close();
  });

  it('is authenticated and scoped like queries', async () => {
    const company = await newCompany(env);
    const anonymous = await sse(env.app, company, {}, null);
    expect(anonymous.response.status).toBe(401);
    const other = await newCompany(env);
    const foreign = await sse(env.app, other, { companyId: company.id });
    const refused = (await foreign.next()) as Pushed;
    expect(refused.errors?.[0]?.extensions?.code).toBe('PERMISSION_DENIED');
    const writeOnly = await newCompany(env, { id: company.id, scope: 'customers:write' });
    const denied = (await (await sse(env.app, writeOnly, {})).next()) as Pushed;
    expect(denied.errors?.[0]?.extensions?.code).toBe('PERMISSION_DENIED');
  });

  it('ends every stream with UNAVAILABLE when the app shuts down, and /readyz answers 503', async () => {
    const app = await env.makeApp();
    const company = await newCompany(env);
    const stream = await sse(app, company, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await app.fetch(new Request('http://localhost/readyz'))).status).toBe(200);
    await app.shutDown();
    const ready = await app.fetch(new Request('http://localhost/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'shutting down' });
    const last = (await stream.next()) as Pushed;
    expect(last.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(last.errors?.[0]?.message).toMatch(/subscribe again with the last cursor/);
    expect(await stream.next()).toBe('complete');
  });
});
