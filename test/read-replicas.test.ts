// Reads scale out to streaming replicas (DATABASE_REPLICA_URL) and survive their loss. A
// throwaway primary and a real hot standby of it (pg_basebackup -R -X stream), ports of their own;
// the server process reads through the standby and writes to the primary, and:
// - queries are served by the replica (its own statistics count the reads; its pg_stat_activity
//   shows the gateway's connections; the gateway's metrics count them), and `x-consistency:
//   strong` reads by the primary;
// - a replica that falls behind (replay paused) past REPLICA_MAX_LAG_MS serves nothing: a write
//   is read back at once without asking for strong consistency;
// - the replica stopped under a load of 8 clients: every read still answers, without an error.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, canMakeClusters, makeCluster, makeReplica } from './helpers/cluster.js';
import { minimalInput } from './helpers/customers.js';
import { isPostgres, mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const COMPANY = 'cmp_replicas';
const CREATE = `mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id firstName } } }`;
const LIST = `query List($companyId: ID!) {
  customers(companyId: $companyId, first: 20) { totalCount edges { node { id firstName } } } }`;
const ONE = `query One($id: ID!) { customer(id: $id) { id firstName } }`;

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const scans = async (db: postgres.Sql) => {
  const [row] = await db<{ n: string }[]>`
    select coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::text as n
    from pg_stat_user_tables where relname = 'customers'`;
  return Number(row?.n ?? 0);
};

/** Waits until `check` holds (polled; a check that throws has not held yet), or fails. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const until = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not within ${ms} ms: ${what}`, { cause: last });
}

/** The gateway's count of queries by where they read (customer_graph_query_reads_total). */
async function queryReads(metricsUrl: string): Promise<{ replica: number; primary: number }> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const of = (source: string) =>
    Number(new RegExp(`query_reads_total\\{source="${source}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { replica: of('replica'), primary: of('primary') };
}

describe.skipIf(!isPostgres || !canMakeClusters)('read replicas', () => {
  let primary: Cluster;
  let replica: Cluster;
  let server: RunningServer;
  let scratch: ReturnType<typeof serverScratch>;
  let token: string;
  let onPrimary: postgres.Sql;
  const count = async () => {
    const [row] = await onPrimary<{ n: number }[]>`
      select count(*)::int as n from customers where company_id = ${COMPANY}`;
    return row?.n ?? 0;
  };
  let onReplica: postgres.Sql;
  const metricsPort = 20_000 + Math.floor(Math.random() * 20_000);
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;

  const post = async (
    query: string,
    variables: object,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  const create = async (firstName: string) => {
    const answer = await post(CREATE, { input: minimalInput(COMPANY, { firstName }) });
    expect(answer.errors).toBeUndefined();
    return (answer.data as { createCustomer: { customer: { id: string } } }).createCustomer.customer
      .id;
  };
  const serving = (expected: boolean) =>
    eventually(`the replica ${expected ? 'serves' : 'serves no'} reads`, async () => {
      const lines = server
        .stderr()
        .split('\n')
        .filter((line) => line.includes('"replica'));
      const last = lines.at(-1) ?? '';
      return expected ? last.includes('replica serves reads') : last.includes('serves no reads');
    });

  beforeAll(async () => {
    primary = await makeCluster();
    replica = await makeReplica(primary);
    scratch = serverScratch('replicas');
    server = await startServer({
      ...scratch.env,
      DATABASE_URL: primary.url,
      DATABASE_REPLICA_URL: replica.url,
      REPLICA_MAX_LAG_MS: '500',
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_POOL_SIZE: '4',
      METRICS_PORT: String(metricsPort),
    });
    token = await mintJwt({ companyId: COMPANY });
    onPrimary = postgres(primary.url, { max: 1, onnotice: () => {} });
    onReplica = postgres(replica.url, { max: 1, onnotice: () => {} });
    await serving(true);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await onPrimary?.end();
    await onReplica?.end();
    replica?.remove();
    primary?.remove();
    scratch?.remove();
  });

  it('serves queries from the replica, mutations and strong reads from the primary', async () => {
    const id = await create('Streamed');
    // The write reaches the replica by streaming replication.
    await eventually('the replica has the new customer', async () => {
      const rows = await onReplica`select 1 from customers where id = ${id}`;
      return rows.length === 1;
    });
    const before = { scans: await scans(onReplica), reads: await queryReads(metricsUrl) };
    const reads = 30;
    for (let i = 0; i < reads; i += 1) {
      const answer = await post(LIST, { companyId: COMPANY });
      expect(answer.errors).toBeUndefined();
      expect((answer.data as { customers: { totalCount: number } }).customers.totalCount).toBe(
        await count(),
      );
    }
    expect(await queryReads(metricsUrl)).toEqual({
      replica: before.reads.replica + reads,
      primary: before.reads.primary,
    });
    // The replica's own statistics count them (published within a second or so).
    await eventually('the replica counts the reads', async () => {
      return (await scans(onReplica)) - before.scans >= reads;
    });
    const gateway = await onReplica<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = 'customer-graph'`;
    expect(gateway[0]?.n).toBeGreaterThan(0);

    // x-consistency: strong reads the primary.
    for (let i = 0; i < 10; i += 1) {
      const answer = await post(ONE, { id }, { 'x-consistency': 'strong' });
      expect(answer.data?.customer).toEqual({ id, firstName: 'Streamed' });
    }
    expect(await queryReads(metricsUrl)).toEqual({
      replica: before.reads.replica + reads,
      primary: before.reads.primary + 10,
    });
    // A mutation is not a query: it is not counted, and writes the primary.
    await create('Written');
    expect((await queryReads(metricsUrl)).primary).toBe(before.reads.primary + 10);
  }, 60_000);

  it('reads from the primary while the replica lags past REPLICA_MAX_LAG_MS', async () => {
    await onReplica`select pg_wal_replay_pause()`;
    try {
      const id = await create('Lagged');
      // Replay paused, the replica never has it: only the primary can answer it, which it does
      // once the replica counts as lagging (500 ms, probed every 250 ms).
      const found = Date.now();
      await eventually(
        'a plain query reads the write',
        async () => {
          // Until then the replica answers that there is no such customer.
          const answer = await post(ONE, { id });
          for (const error of answer.errors ?? []) expect(error.extensions?.code).toBe('NOT_FOUND');
          return Boolean(answer.data?.customer);
        },
        5000,
      );
      expect(Date.now() - found).toBeLessThan(3000);
      expect(await onReplica`select 1 from customers where id = ${id}`).toHaveLength(0);
      await serving(false);
    } finally {
      await onReplica`select pg_wal_replay_resume()`;
    }
    await serving(true);
  }, 60_000);

  it('keeps answering every read when the replica stops under load', async () => {
    const answers: Answer[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        answers.push(await post(LIST, { companyId: COMPANY }).catch(() => ({ status: 0 })));
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const beforeStop = answers.length;
    await replica.stopped();
    await serving(false);
    const primaryBefore = (await queryReads(metricsUrl)).primary;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    running = false;
    await Promise.all(clients);

    expect(beforeStop).toBeGreaterThan(10);
    expect(answers.length - beforeStop).toBeGreaterThan(10);
    const failed = answers.filter((a) => a.status !== 200 || a.errors !== undefined);
    expect(failed).toEqual([]);
    // Once it counts as stopped, queries read the primary.
    expect((await queryReads(metricsUrl)).primary - primaryBefore).toBeGreaterThan(10);
  }, 60_000);
});
