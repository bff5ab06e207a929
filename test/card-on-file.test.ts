import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/app.js';
import { sha256Hex } from '../src/lib/hash.js';
import { createRepositories } from '../src/repositories/index.js';
import { rowsOf } from '../src/repositories/sql.js';
import type { CardOnFileProvider } from '../src/services/card-on-file.js';
import { createCustomer, expectCode, getCustomer } from './helpers/customers.js';
import { newCompany, TEST_PUBLIC_BASE_URL, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

/** A clock the test moves by hand. */
function testClock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const GENERATE = /* GraphQL */ `
  mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link expiresTime } }
`;

async function generate(company: TestCompany, customerId: string, app?: App) {
  const response = await company.gql<{
    generateCustomerCofLink: { link: string; expiresTime: string };
  }>(GENERATE, { input: { customerId } }, app ? { app } : {});
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.generateCustomerCofLink;
}

const pathOf = (link: string) => new URL(link).pathname;

async function open(app: App, link: string, method: 'GET' | 'POST' | 'HEAD' = 'GET') {
  const response = await app.fetch(new Request(`http://localhost${pathOf(link)}`, { method }));
  const html = await response.text();
  return {
    status: response.status,
    state: /data-state="(\w+)"/.exec(html)?.[1],
    html,
    headers: response.headers,
  };
}

describe('generateCustomerCofLink', () => {
  it('returns PUBLIC_BASE_URL/cof/<32 random bytes>, valid 24 hours, storing only a hash', async () => {
    const clock = testClock();
    const app = await env.makeApp({ clock: clock.now });
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const { link, expiresTime } = await generate(company, customer.id, app);
    const match = new RegExp(`^${TEST_PUBLIC_BASE_URL}/cof/([A-Za-z0-9_-]{43})$`).exec(link);
    expect(match).not.toBeNull();
    const token = match![1]!;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(expiresTime).toBe('2026-03-02T12:00:00.000Z');
    const rows = rowsOf<{ token_hash: string }>(
      await env.store.db.execute(
        sql`select token_hash from cof_links where customer_id = ${customer.id}`,
      ),
    );
    expect(rows).toEqual([{ token_hash: sha256Hex(token) }]);
    const dump = JSON.stringify(
      rowsOf(
        await env.store.db.execute(sql`select * from cof_links where customer_id = ${customer.id}`),
      ),
    );
    expect(dump).not.toContain(token);
  });

  it('answers NOT_FOUND for an unknown or foreign customer, and needs customers:write', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    expectCode(await company.gql(GENERATE, { input: { customerId: theirs.id } }), 'NOT_FOUND');
    expectCode(
      await company.gql(GENERATE, { input: { customerId: 'cus_unknown0000000' } }),
      'NOT_FOUND',
    );
    const reader = await newCompany(env, { id: other.id, scope: 'customers:read' });
    expectCode(
      await reader.gql(GENERATE, { input: { customerId: theirs.id } }),
      'PERMISSION_DENIED',
    );
  });

  it('does not move the customer’s lastUpdatedTime', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    await generate(company, customer.id);
    const read = await getCustomer(company, customer.id);
    expect(read.data!.customer!.lastUpdatedTime).toBe(customer.lastUpdatedTime);
  });
});

describe('the card-on-file page', () => {
  it('shows a valid link without burning it, redeems it once, then says it was used', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const { link } = await generate(company, customer.id);
    for (const method of ['GET', 'HEAD', 'GET'] as const) {
      const page = await open(env.app, link, method);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
    }
    const shown = await open(env.app, link);
    expect(shown.state).toBe('valid');
    expect(shown.html).toContain('<form method="post">');
    expect(shown.html).not.toMatch(/<script|https?:\/\//);
    const redeemed = await open(env.app, link, 'POST');
    expect([redeemed.status, redeemed.state]).toEqual([200, 'redeemed']);
    const again = await open(env.app, link, 'POST');
    expect([again.status, again.state]).toEqual([410, 'used']);
    expect((await open(env.app, link)).state).toBe('used');
    const setups = await createRepositories(env.store.db, company.id).cofLinks.listCardSetups(
      customer.id,
    );
    expect(setups).toHaveLength(1);
    expect(setups[0]).toMatchObject({ provider: 'development', customerId: customer.id });
  });

  it('expires after 24 hours (by the injected clock)', async () => {
    const clock = testClock();
    const app = await env.makeApp({ clock: clock.now });
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const { link } = await generate(company, customer.id, app);
    clock.advance(24 * 60 * 60 * 1000 - 1);
    expect((await open(app, link)).state).toBe('valid');
    clock.advance(1);
    expect(await open(app, link)).toMatchObject({ status: 410, state: 'expired' });
    expect(await open(app, link, 'POST')).toMatchObject({ status: 410, state: 'expired' });
  });

  it('revokes the earlier unused link when a new one is made', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const first = await generate(company, customer.id);
    const second = await generate(company, customer.id);
    expect(await open(env.app, first.link)).toMatchObject({ status: 410, state: 'revoked' });
    expect(await open(env.app, first.link, 'POST')).toMatchObject({
      status: 410,
      state: 'revoked',
    });
    expect(await open(env.app, second.link, 'POST')).toMatchObject({
      status: 200,
      state: 'redeemed',
    });
  });

  it('answers 404 for an unknown or malformed token', async () => {
    const unknown = `${TEST_PUBLIC_BASE_URL}/cof/${Buffer.alloc(32, 7).toString('base64url')}`;
    expect(await open(env.app, unknown)).toMatchObject({ status: 404, state: 'unknown' });
    expect(await open(env.app, `${TEST_PUBLIC_BASE_URL}/cof/short`, 'POST')).toMatchObject({
      status: 404,
      state: 'unknown',
    });
  });

  it('leaves the link usable when the provider fails', async () => {
    let fail = true;
    const provider: CardOnFileProvider = {
      name: 'flaky',
      startCardSetup: async (request) => {
        if (fail) throw new Error('provider unavailable');
        return {
          reference: `ref_${request.linkId}`,
          redirectUrl: 'https://pay.example.com/setup/abc',
        };
      },
    };
    const app = await env.makeApp({ cardProvider: provider });
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const { link } = await generate(company, customer.id, app);
    expect((await open(app, link, 'POST')).status).toBe(500);
    expect((await open(app, link)).state).toBe('valid');
    fail = false;
    const redirected = await app.fetch(
      new Request(`http://localhost${pathOf(link)}`, { method: 'POST' }),
    );
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('https://pay.example.com/setup/abc');
  });
});

describe('concurrent redemptions over HTTP', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer(env.app.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('let exactly one of 20 concurrent POSTs win; every other and every later one gets a 4xx', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const { link } = await generate(company, customer.id);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await fetch(`${base}${pathOf(link)}`, { method: 'POST' });
        await response.text();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(19);
    const later = await fetch(`${base}${pathOf(link)}`, { method: 'POST' });
    expect(later.status).toBe(410);
    const setups = await createRepositories(env.store.db, company.id).cofLinks.listCardSetups(
      customer.id,
    );
    expect(setups).toHaveLength(1);
  });
});
