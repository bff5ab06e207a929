// Prometheus metrics on METRICS_PORT, a listener of their own, never on the public port: request
// durations by operation name and type, errors by code, rate-limit refusals, SQL statements
// (and their durations on PostgreSQL), write transactions, the pool, process metrics.
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionStats, openStore } from '../src/db/client.js';
import { processMetrics } from '../src/http/metrics.js';
import { postgresTestConfig } from './helpers/database.js';
import { isPostgres, mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

let server: RunningServer;
let metricsPort: number;
const scratch = serverScratch('metrics');

beforeAll(async () => {
  metricsPort = await freePort();
  server = await startServer({
    ...scratch.env,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    METRICS_PORT: String(metricsPort),
    RATE_LIMIT_POINTS: '30',
    RATE_LIMIT_RESTORE: '1',
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  scratch.remove();
});

describe('metrics', () => {
  it('are served on METRICS_PORT only, with requests, errors by code, refusals and statements', async () => {
    const token = await mintJwt({ companyId: 'cmp_metrics' });
    const post = (query: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
    await post('query Missing { customer(id: "cus_none") { id } }');
    // 20 + 20 points (nodes(ids:) holds what it asks for: nothing is given back): the second is
    // refused by the bucket of 30.
    const ids = JSON.stringify(Array.from({ length: 20 }, (_, i) => `cus_none${i}`));
    await post(`query Page { nodes(ids: ${ids}) { id } }`);
    const refused = await post(`query Page { nodes(ids: ${ids}) { id } }`);
    expect(refused.status).toBe(429);

    expect((await fetch(`${server.url}/metrics`)).status).not.toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/customer_graph_requests_total [1-9]/);
    expect(text).toMatch(
      /customer_graph_graphql_request_duration_seconds_bucket\{[^}]*operation_name="Page",operation_type="query",status="429"/,
    );
    // One for the missing customer, one per unknown ID of the first nodes(ids:).
    expect(text).toMatch(/customer_graph_errors_total\{code="NOT_FOUND"\} 21/);
    expect(text).toMatch(/customer_graph_errors_total\{code="RESOURCE_EXHAUSTED"\} 1/);
    expect(text).toMatch(/customer_graph_rate_limit_refusals_total 1/);
    expect(text).toMatch(/customer_graph_sql_statements_total [1-9]/);
    expect(text).toMatch(/customer_graph_nodejs_eventloop_lag_seconds/);
    expect(text).toMatch(/customer_graph_process_resident_memory_bytes/);
    expect(text).toMatch(/customer_graph_write_transactions\{state="waiting"\} 0/);
    if (isPostgres) {
      expect(text).toMatch(/customer_graph_sql_statement_duration_seconds_count [1-9]/);
      expect(text).toMatch(/customer_graph_db_pool_size [1-9]/);
      expect(text).toMatch(/customer_graph_db_pool_connections\{state="idle"\} [1-9]/);
      expect(text).toMatch(/customer_graph_db_pool_waiting 0/);
    }
  });

  it.runIf(isPostgres)(
    'count the pool’s busy connections and the statements waiting for one',
    async () => {
      const store = await openStore(postgresTestConfig(2));
      if (store.driver.kind !== 'postgres') throw new Error('a PostgreSQL store');
      const client = store.driver.client;
      try {
        await store.db.execute(sql`select 1`);
        // Drizzle's queries run when awaited: Promise.resolve starts them now.
        const held = [1, 2, 3].map(() =>
          Promise.resolve(store.db.execute(sql`select pg_sleep(0.5)`)),
        );
        const transaction = store.db.transaction((tx) => tx.execute(sql`select 1`));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const during = connectionStats(client);
        // A connection opened for a statement counts as connecting until it has answered it.
        expect(during.busy + during.connecting).toBe(2);
        expect(during.idle).toBe(0);
        // postgres.js pipelines plain statements on a busy connection; a transaction waits.
        expect(during.waiting).toBeGreaterThanOrEqual(1);
        await Promise.all([...held, transaction]);
        expect(connectionStats(client)).toMatchObject({ busy: 0, waiting: 0 });
      } finally {
        await store.close();
      }
    },
  );

  it('count at most 200 operation names, the rest under (other)', async () => {
    // This process's own registry (the server above runs in another process).
    const metrics = processMetrics();
    for (let i = 0; i < 250; i += 1) metrics.requestDone(`Op${i}`, 'query', 200, 0.001);
    const text = await metrics.registry.metrics();
    const names = new Set(
      [...text.matchAll(/graphql_request_duration_seconds_count\{operation_name="([^"]*)"/g)].map(
        (match) => match[1],
      ),
    );
    expect(names.size).toBe(201);
    expect(names.has('Op199')).toBe(true);
    expect(names.has('Op200')).toBe(false);
    expect(text).toMatch(
      /graphql_request_duration_seconds_count\{operation_name="\(other\)",operation_type="query",status="200"\} 50/,
    );
  });
});
