// The server under a steady mixed load of 8 clients while its PostgreSQL (a throwaway cluster of
// its own) is restarted and then stopped for 20 s: the process lives through it, every answer is
// a success or 503 UNAVAILABLE with Retry-After (never INTERNAL, never a hang), while the database
// is down every request is answered within 2 s, /readyz says 503 and /healthz 200, the server
// serves again within 2 s of the database's return, and every acknowledged write (a 2xx without
// errors) is there afterwards. A lock held from another session ends a write with
// DEADLINE_EXCEEDED in about the deadline, with nothing written, while other companies' writes and
// all reads go on.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, canMakeClusters, makeCluster } from './helpers/cluster.js';
import { isPostgres, mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { holdCompanyLock } from './helpers/locks.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const CREATE = `mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id } } }`;
const READ = `query Read($companyId: ID!) {
  customers(companyId: $companyId, first: 5) { edges { node { id firstName tags { name } } } } }`;

interface Answer {
  status: number;
  started: number;
  ms: number;
  codes: string[];
  retryAfter: string | null;
  id?: string;
}

async function post(url: string, token: string, query: string, variables: object) {
  const started = Date.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as {
      data?: { createCustomer?: { customer: { id: string } } | null } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    return {
      status: response.status,
      started,
      ms: Date.now() - started,
      codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE'),
      retryAfter: response.headers.get('retry-after'),
      id: body.data?.createCustomer?.customer.id,
    } satisfies Answer;
  } catch (error) {
    return {
      status: 0,
      started,
      ms: Date.now() - started,
      codes: [`TRANSPORT ${(error as Error).name}`],
      retryAfter: null,
    } satisfies Answer;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!isPostgres || !canMakeClusters)('database faults under load', () => {
  let cluster: Cluster;
  let server: RunningServer;
  let scratch: ReturnType<typeof serverScratch>;
  let token: string;

  beforeAll(async () => {
    cluster = await makeCluster();
    scratch = serverScratch('faults');
    server = await startServer({
      ...scratch.env,
      DATABASE_URL: cluster.url,
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      REQUEST_TIMEOUT_MS: '3000',
      DATABASE_POOL_SIZE: '4',
    });
    token = await mintJwt({ companyId: 'cmp_faults' });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    cluster?.remove();
    scratch?.remove();
  });

  it('survives a restart and a 20 s stop, answers quickly while down, loses no acknowledged write', async () => {
    const answers: Answer[] = [];
    let running = true;
    let n = 0;
    const client = async (i: number) => {
      while (running) {
        n += 1;
        const answer =
          i % 2 === 0
            ? await post(server.url, token, CREATE, {
                input: {
                  companyId: 'cmp_faults',
                  preferredBusinessId: 'biz_001',
                  firstName: 'Fault',
                  lastName: `Client ${i} ${n}`,
                  phone: `+1212555${String(n % 10_000).padStart(4, '0')}`,
                  tags: [{ name: 'ledger' }],
                },
              })
            : await post(server.url, token, READ, { companyId: 'cmp_faults' });
        answers.push(answer);
        // A client that was refused waits a little, as Retry-After asks (not its full length).
        if (answer.status !== 200) await sleep(100);
      }
    };
    const clients = Array.from({ length: 8 }, (_, i) => client(i));

    await sleep(2000);
    const restartAt = Date.now();
    cluster.restart();
    const restarted = Date.now();
    await sleep(3000);

    const stopAt = Date.now();
    cluster.stop();
    await sleep(3000);
    const ready = await fetch(`${server.url}/readyz`);
    const health = await fetch(`${server.url}/healthz`);
    await sleep(17_000);
    cluster.start();
    const backAt = Date.now();
    await sleep(4000);
    running = false;
    await Promise.all(clients);

    expect(server.process.exitCode).toBeNull();
    expect(ready.status).toBe(503);
    expect(health.status).toBe(200);

    // Every answer is a success or UNAVAILABLE (503 with Retry-After); no INTERNAL, no reset.
    const failures = answers.filter((a) => a.status !== 200 || a.codes.length > 0);
    for (const answer of failures) {
      expect(answer.status, JSON.stringify(answer)).toBe(503);
      expect(answer.codes).toEqual(['UNAVAILABLE']);
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    // While the database was down, nothing was held past 2 s.
    const whileDown = answers.filter((a) => a.started >= stopAt && a.started < backAt);
    expect(whileDown.length).toBeGreaterThan(50);
    expect(Math.max(...whileDown.map((a) => a.ms))).toBeLessThan(2000);
    // Served again within 2 s of its return.
    const firstOk = answers.find((a) => a.started >= backAt && a.status === 200 && !a.codes.length);
    expect(firstOk).toBeDefined();
    const recoveryMs = (firstOk?.started ?? 0) + (firstOk?.ms ?? 0) - backAt;
    expect(recoveryMs).toBeLessThan(2000);

    // Every acknowledged create is stored.
    const acknowledged = answers.flatMap((a) => (a.id ? [a.id] : []));
    expect(acknowledged.length).toBeGreaterThan(20);
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<
        { id: string }[]
      >`select id from customers where id = any(${acknowledged})`;
      expect(rows.length).toBe(acknowledged.length);
    } finally {
      await sql.end();
    }

    const duringRestart = answers.filter(
      (a) => a.started >= restartAt - 500 && a.started < restarted + 1000,
    );
    console.log(
      JSON.stringify({
        answers: answers.length,
        acknowledgedCreates: acknowledged.length,
        restart: {
          ms: restarted - restartAt,
          requests: duringRestart.length,
          errors: duringRestart.filter((a) => a.status !== 200 || a.codes.length).length,
        },
        down: { requests: whileDown.length, slowestMs: Math.max(...whileDown.map((a) => a.ms)) },
        recoveryMs,
      }),
    );
  }, 90_000);

  it('ends a write blocked by a lock with DEADLINE_EXCEEDED in about the deadline, writes nothing, and keeps reads and other companies going', async () => {
    const other = await mintJwt({ companyId: 'cmp_free' });
    const input = (companyId: string, lastName: string) => ({
      input: {
        companyId,
        preferredBusinessId: 'biz_001',
        firstName: 'Lock',
        lastName,
        phone: '+12125550100',
      },
    });
    // The company row exists once the company has created a customer.
    await post(server.url, token, CREATE, input('cmp_faults', 'Before the lock'));
    const holder = postgres(cluster.url, { max: 1, onnotice: () => {} });
    try {
      const lock = await holdCompanyLock(holder, 'cmp_faults');

      // Six writes of the locked company at once: more than the pool has connections.
      const blocked = Array.from({ length: 6 }, (_, i) =>
        post(server.url, token, CREATE, input('cmp_faults', `Blocked ${i}`)),
      );
      await sleep(300);
      // Meanwhile, another company's writes and the locked company's reads go on.
      const others: Answer[] = [];
      for (let i = 0; i < 10; i += 1) {
        others.push(await post(server.url, other, CREATE, input('cmp_free', `Free ${i}`)));
        others.push(await post(server.url, token, READ, { companyId: 'cmp_faults' }));
      }
      const ended = await Promise.all(blocked);
      await lock.release();

      for (const answer of others) {
        expect(answer.codes, JSON.stringify(answer)).toEqual([]);
        expect(answer.ms).toBeLessThan(1000);
      }
      for (const answer of ended) {
        expect(answer.codes, JSON.stringify(answer)).toEqual(['DEADLINE_EXCEEDED']);
        expect(answer.status).toBe(504);
        // REQUEST_TIMEOUT_MS is 3000.
        expect(answer.ms).toBeGreaterThan(2000);
        expect(answer.ms).toBeLessThan(4500);
      }
      const rows = await holder<{ n: number }[]>`
        select count(*)::int as n from customers where last_name like 'Blocked %'`;
      expect(rows[0]?.n).toBe(0);
    } finally {
      await holder.end();
    }
  }, 60_000);
});
