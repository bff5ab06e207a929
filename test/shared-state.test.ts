// Nothing that must be consistent lives in one process's memory: persisted queries (APQ) are
// shared through PostgreSQL (or Redis with REDIS_URL), so that a document registered on one app
// or process is served by hash on the next. On PostgreSQL, two server processes on one database
// also share each credential's rate limit, and a subscriber on one receives a write made on the
// other.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/app.js';
import { randomToken } from '../src/lib/ids.js';
import { rowsOf } from '../src/repositories/sql.js';
import { minimalInput } from './helpers/customers.js';
import {
  isPostgres,
  newCompany,
  TEST_JWT_SECRET,
  type TestCompany,
  useTestEnv,
} from './helpers/env.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const env = useTestEnv();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A document of its own (a comment makes its text, and so its hash, new) and its hash. */
function freshDocument() {
  const query = `# ${randomToken(12)}\nquery Count($c: ID!) { customers(companyId: $c, first: 1) { totalCount } }`;
  return { query, hash: createHash('sha256').update(query).digest('hex') };
}

type Fetch = (request: Request) => Promise<Response>;

/** Posts a document (or only its hash) with the APQ extension; the JSON answer. */
async function persisted(
  fetch: Fetch,
  base: string,
  company: TestCompany,
  document: { query: string; hash: string },
  withText: boolean,
) {
  const response = await fetch(
    new Request(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${company.token}` },
      body: JSON.stringify({
        ...(withText ? { query: document.query } : {}),
        variables: { c: company.id },
        extensions: { persistedQuery: { version: 1, sha256Hash: document.hash } },
      }),
    }),
  );
  return (await response.json()) as {
    data?: { customers: { totalCount: number } };
    errors?: { extensions?: { code?: string } }[];
  };
}

const inProcess =
  (app: App): Fetch =>
  (request) =>
    app.fetch(request);

async function storedHashes(hash: string): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await env.store.db.execute(
      sql`select count(*)::int as n from persisted_queries where hash = ${hash}`,
    ),
  );
  return row!.n;
}

describe('persisted queries', () => {
  it('registered on one app are served by hash on another (PostgreSQL or PGlite)', async () => {
    const company = await newCompany(env);
    const other = await env.makeApp();
    const document = freshDocument();
    const unknown = await persisted(inProcess(other), 'http://localhost', company, document, false);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await persisted(
      inProcess(env.app),
      'http://localhost',
      company,
      document,
      true,
    );
    expect(registered.errors).toBeUndefined();
    const served = await persisted(inProcess(other), 'http://localhost', company, document, false);
    expect(served.errors).toBeUndefined();
    expect(served.data?.customers.totalCount).toBe(0);
    expect(await storedHashes(document.hash)).toBe(1);
  });

  it('are shared through Redis when REDIS_URL is set (and not kept in the database)', async () => {
    const company = await newCompany(env);
    const [one, two] = await Promise.all([
      env.makeApp({ redisUrl: REDIS_URL }),
      env.makeApp({ redisUrl: REDIS_URL }),
    ]);
    try {
      const document = freshDocument();
      expect(
        (await persisted(inProcess(one), 'http://localhost', company, document, true)).errors,
      ).toBeUndefined();
      const served = await persisted(inProcess(two), 'http://localhost', company, document, false);
      expect(served.errors).toBeUndefined();
      expect(await storedHashes(document.hash)).toBe(0);
    } finally {
      await Promise.all([one.shutDown(), two.shutDown()]);
    }
  });
});

describe.runIf(isPostgres)('two server processes on one PostgreSQL', () => {
  const scratches = [serverScratch('shared-a'), serverScratch('shared-b')];
  const servers: RunningServer[] = [];
  const CAPACITY = 45;

  beforeAll(async () => {
    for (const scratch of scratches) {
      servers.push(
        await startServer({
          ...scratch.env,
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
          RATE_LIMIT_POINTS: String(CAPACITY),
          RATE_LIMIT_RESTORE: '1',
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const scratch of scratches) scratch.remove();
  });

  it('serve by hash a document registered on the other', async () => {
    const company = await newCompany(env);
    const document = freshDocument();
    const [a, b] = servers as [RunningServer, RunningServer];
    expect((await persisted(fetch, a.url, company, document, true)).errors).toBeUndefined();
    const served = await persisted(fetch, b.url, company, document, false);
    expect(served.errors).toBeUndefined();
  });

  it('share one rate limit per credential', async () => {
    const company = await newCompany(env);
    // A full page of 10 customers: what it costs is what it holds (nothing is given back).
    const bulk = await company.gql<{ createCustomers: { createdCount: number } }>(
      'mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { createdCount } }',
      {
        input: {
          companyId: company.id,
          customers: Array.from({ length: 10 }, (_, i) =>
            minimalInput(company.id, { phone: `+1212555${String(2000 + i)}` }),
          ),
        },
      },
    );
    expect(bulk.data?.createCustomers.createdCount).toBe(10);
    const query = `{ customers(companyId: "${company.id}", first: 10) { edges { node { id } } } }`;
    const statuses: number[] = [];
    let cost = 0;
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${servers[i % 2]!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${company.token}` },
        body: JSON.stringify({ query }),
      });
      statuses.push(response.status);
      const body = (await response.json()) as {
        extensions?: { cost?: { requestedQueryCost: number } };
      };
      cost ||= body.extensions?.cost?.requestedQueryCost ?? 0;
    }
    // A bucket of 45 holds floor(45 / cost) of them, whichever process they go to; one point a
    // second comes back meanwhile, so at most one more fits.
    const fits = Math.floor(CAPACITY / cost);
    expect(fits).toBeGreaterThanOrEqual(1);
    expect(fits).toBeLessThan(8);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(fits);
    expect(admitted).toBeLessThanOrEqual(fits + 1);
    expect(statuses.filter((s) => s === 429).length).toBe(8 - admitted);
  });

  it('deliver to a subscriber on one a write made on the other', async () => {
    const company = await newCompany(env);
    const [a, b] = servers as [RunningServer, RunningServer];
    const controller = new AbortController();
    const stream = await fetch(`${a.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${company.token}`,
      },
      body: JSON.stringify({
        query:
          'subscription($c: ID!) { customerEvents(companyId: $c) { type customer { firstName } } }',
        variables: { c: company.id },
      }),
      signal: controller.signal,
    });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    // Give the subscription a moment to start listening before the write.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await fetch(`${b.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${company.token}` },
      body: JSON.stringify({
        query:
          'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
        variables: { input: minimalInput(company.id, { firstName: 'Across' }) },
      }),
    });
    expect(created.status).toBe(200);
    let received = '';
    const deadline = Date.now() + 3_000;
    while (!received.includes('Across') && Date.now() < deadline) {
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<{ value: undefined; done: true }>((resolve) =>
          setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now()),
        ),
      ]);
      if (done) break;
      received += value;
    }
    controller.abort();
    expect(received).toContain('"type":"CUSTOMER_CREATED"');
    expect(received).toContain('"firstName":"Across"');
  });
});
