// Behind PgBouncer in transaction mode (Debian's 1.18, which cannot keep prepared statements
// across its server connections): DATABASE_PREPARE=false sends every statement unnamed and no
// startup parameter PgBouncer refuses, and DATABASE_DIRECT_URL takes LISTEN (and the
// migrations' advisory lock) to the server itself. A real pgbouncer in front of the suite's
// PostgreSQL; .ci/run also runs the suite's concurrency tests through one.
import { execFileSync } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/db/client.js';
import { minimalInput } from './helpers/customers.js';
import { isPostgres, mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { holdCompanyLock } from './helpers/locks.js';
import { hasPgbouncer, type Pgbouncer, startPgbouncer } from './helpers/pgbouncer.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const COMPANY = 'cmp_pooler';
const CREATE = `mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id tags { name } } } }`;
const LIST = `query List($companyId: ID!) {
  customers(companyId: $companyId, first: 10) { totalCount edges { node { id tags { name } } } } }`;

describe.skipIf(!isPostgres || !hasPgbouncer)('behind PgBouncer (transaction mode)', () => {
  // The server itself, also when the suite runs through a pooler of its own.
  const direct = process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL ?? '';
  let database: string;
  let pooler: Pgbouncer;
  let server: RunningServer;
  let scratch: ReturnType<typeof serverScratch>;
  let token: string;
  let onServer: postgres.Sql;

  beforeAll(async () => {
    const target = new URL(direct);
    database = target.pathname.slice(1);
    pooler = await startPgbouncer({ host: target.hostname, port: Number(target.port || 5432) });
    scratch = serverScratch('pooler');
    server = await startServer({
      ...scratch.env,
      DATABASE_URL: pooler.url(database),
      DATABASE_PREPARE: 'false',
      DATABASE_DIRECT_URL: direct,
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_POOL_SIZE: '8',
      REQUEST_TIMEOUT_MS: '3000',
    });
    token = await mintJwt({ companyId: COMPANY });
    onServer = postgres(direct, { max: 1, onnotice: () => {} });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await onServer?.end();
    await pooler?.stop();
    scratch?.remove();
  });

  const post = async (query: string, variables: object) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(15_000),
    });
    return {
      status: response.status,
      ...((await response.json()) as { data?: unknown; errors?: { message: string }[] }),
    };
  };

  it('serves concurrent reads and writes through the pooler without a prepared-statement error', async () => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        const mine = [];
        for (let i = 0; i < 10; i += 1) {
          mine.push(
            i % 2 === 0
              ? await post(CREATE, {
                  input: minimalInput(COMPANY, {
                    firstName: `Pooled ${client}-${i}`,
                    tags: [{ name: `pool-${i % 3}` }],
                  }),
                })
              : await post(LIST, { companyId: COMPANY }),
          );
        }
        return mine;
      }),
    );
    const failed = answers.flat().filter((a) => a.status !== 200 || a.errors !== undefined);
    expect(failed).toEqual([]);
    const [row] = await onServer<{ n: number }[]>`
      select count(*)::int as n from customers where company_id = ${COMPANY}`;
    expect(row?.n).toBeGreaterThanOrEqual(80);
    // The statements went through the pooler's server connections.
    expect(pooler.serverPorts().length).toBeGreaterThan(0);
  }, 60_000);

  it('ends a write blocked by a lock with DEADLINE_EXCEEDED: the transaction sets its own timeouts', async () => {
    // The company row exists once the company has created a customer (the first test did).
    const lock = await holdCompanyLock(onServer, COMPANY);
    const started = Date.now();
    const blocked = await post(CREATE, {
      input: minimalInput(COMPANY, { firstName: 'Blocked', lastName: 'Behind a lock' }),
    });
    const ms = Date.now() - started;
    await lock.release();
    expect(blocked.status).toBe(504);
    expect(
      blocked.errors?.map((e) => (e as { extensions?: { code?: string } }).extensions?.code),
    ).toEqual(['DEADLINE_EXCEEDED']);
    expect(ms).toBeGreaterThan(2000);
    expect(ms).toBeLessThan(4500);
    const rows = await onServer<{ n: number }[]>`
      select count(*)::int as n from customers where last_name = 'Behind a lock'`;
    expect(rows[0]?.n).toBe(0);
  }, 30_000);

  it('listens for change events on a direct connection, not through the pooler', async () => {
    const listeners = await onServer<{ port: number }[]>`
      select client_port as port from pg_stat_activity
      where application_name = 'customer-graph' and query ilike 'listen%'`;
    expect(listeners.length).toBeGreaterThan(0);
    const pooled = new Set(pooler.serverPorts());
    for (const { port } of listeners) expect(pooled.has(port)).toBe(false);
  });

  it('needs DATABASE_PREPARE=false: PgBouncer refuses the session timeouts sent otherwise', async () => {
    const store = await openStore({ kind: 'postgres', url: pooler.url(database), poolSize: 1 });
    try {
      await expect(
        store.driver.kind === 'postgres' && store.driver.client`select 1`,
      ).rejects.toThrow(/unsupported startup parameter/);
    } finally {
      await store.close();
    }
  });

  it('is reported by pgbouncer itself as in transaction mode', () => {
    const config = execFileSync('psql', [
      ...['-h', '127.0.0.1', '-p', String(pooler.port), '-U', 'postgres', '-XAt'],
      ...['-c', 'SHOW CONFIG', 'pgbouncer'],
    ]).toString();
    expect(config).toMatch(/pool_mode\|transaction/);
  });
});
