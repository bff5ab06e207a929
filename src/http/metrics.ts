// Prometheus metrics (prom-client's default registry, so that node:cluster workers can be summed
// by the primary's AggregatorRegistry), served on METRICS_PORT by main.ts, never on the public
// port: GraphQL requests' durations by operation name, type and status, errors by code,
// rate-limit refusals, connections closed for not reading, SQL statements (count, duration, in
// flight), write transactions admitted and waiting, the pool's size and its connections by state
// (from postgres.js, patched), and prom-client's process metrics (event-loop lag among them).
//
// Request durations are ours rather than Yoga's Prometheus plugin's: that plugin's hooks (labels
// built per phase, two histograms, errors by path) cost byid about 8% of its CPU in the bench's
// profile; ours is one histogram observed from the access log's record, which already holds the
// operation (http/access-log.ts). What is counted or timed on every request or statement goes to
// plain numbers and lib/lean-histogram.ts, read by prom-client when scraped: prom-client's own
// inc and observe (labels validated and hashed each call) were about 3% of byid's CPU.
import type { Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Gauge, type Registry, register } from 'prom-client';
import type { ConnectionStats, StatementObserver } from '../db/client.js';
import type { ReplicaState } from '../db/replicas.js';
import { LeanHistogram } from '../lib/lean-histogram.js';
import type { RequestDone } from './access-log.js';

const PREFIX = 'customer_graph_';
/**
 * Operation names are the client's to choose: past this many distinct ones, a request is counted
 * under `(other)`, so that a client cannot grow the registry (and each scrape) without bound.
 */
const MAX_OPERATION_NAMES = 200;

export interface Metrics {
  registry: Registry;
  /** The Yoga plugins that count requests and errors by code. */
  plugins(): Plugin[];
  /** A GraphQL request answered (the access log's hook). */
  requestDone: RequestDone;
  /** Counts and times statements (the store's onStatement hook, on either driver). */
  observeStatement: StatementObserver;
  /** A document refused by its credential's rate limit. */
  rateLimited(): void;
  /** A connection closed because its client stopped reading (http/stalled-clients.ts). */
  stalledClientClosed(): void;
  /** Gauges read when scraped. */
  watch(gauges: {
    writesAdmitted: () => number;
    writesWaiting: () => number;
    poolSize: number;
    /** A PostgreSQL pool's connections (none on PGlite, a single connection). */
    connections: (() => ConnectionStats) | null;
    /** The streaming replicas and whether each serves reads (none without replicas). */
    replicas: () => ReplicaState[];
  }): void;
  /** A query whose reads went to a replica, or to the primary. */
  queryRead(source: 'replica' | 'primary'): void;
}

let created: Metrics | null = null;

/** A counter kept as a plain number on the hot path, whose value `read` gives when scraped. */
function counterReadWhenScraped(name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** The process's metrics (one set per process: prom-client's registry is global). */
export function processMetrics(): Metrics {
  if (created) return created;
  collectDefaultMetrics({ register, prefix: PREFIX });
  // Counted on every request: a plain number, handed to prom-client when scraped.
  let requestCount = 0;
  counterReadWhenScraped(`${PREFIX}requests_total`, 'HTTP requests received.', () => requestCount);
  const errors = new Counter({
    name: `${PREFIX}errors_total`,
    help: 'GraphQL errors answered, by extensions.code.',
    labelNames: ['code'],
  });
  const refusals = new Counter({
    name: `${PREFIX}rate_limit_refusals_total`,
    help: 'Documents refused by their credential’s rate limit.',
  });
  const stalled = new Counter({
    name: `${PREFIX}stalled_clients_closed_total`,
    help: 'Connections closed because their client stopped reading (CLIENT_STALL_MS).',
  });
  const requestSeconds = new LeanHistogram(
    `${PREFIX}graphql_request_duration_seconds`,
    'GraphQL requests, from arrival to response, by operation name and type and HTTP status.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ['operation_name', 'operation_type', 'status'],
  );
  const operationNames = new Set<string>();
  const statementSeconds = new LeanHistogram(
    `${PREFIX}sql_statement_duration_seconds`,
    'Time from issuing a SQL statement to its result, waiting for a connection included.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  ).series();
  counterReadWhenScraped(
    `${PREFIX}sql_statements_total`,
    'SQL statements issued (BEGIN and COMMIT not counted).',
    () => statementSeconds.count,
  );
  let inFlight = 0;
  new Gauge({
    name: `${PREFIX}sql_statements_in_flight`,
    help: 'SQL statements issued and not yet answered; above the pool size, the rest wait for a connection.',
    collect() {
      this.set(inFlight);
    },
  });
  let gauges: Parameters<Metrics['watch']>[0] | null = null;
  new Gauge({
    name: `${PREFIX}db_pool_size`,
    help: 'Connections the PostgreSQL pool may open.',
    collect() {
      this.set(gauges?.poolSize ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: 'The PostgreSQL pool’s connections: idle, busy (running statements or holding a transaction) and connecting.',
    labelNames: ['state'],
    collect() {
      const stats = gauges?.connections?.();
      if (!stats) return;
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'busy' }, stats.busy);
      this.set({ state: 'connecting' }, stats.connecting);
    },
  });
  new Gauge({
    name: `${PREFIX}db_pool_waiting`,
    help: 'Statements and transactions waiting for a PostgreSQL pool connection.',
    collect() {
      const stats = gauges?.connections?.();
      if (stats) this.set(stats.waiting);
    },
  });
  new Gauge({
    name: `${PREFIX}write_transactions`,
    help: 'Write transactions holding a connection (admitted) or waiting for admission.',
    labelNames: ['state'],
    collect() {
      this.set({ state: 'admitted' }, gauges?.writesAdmitted() ?? 0);
      this.set({ state: 'waiting' }, gauges?.writesWaiting() ?? 0);
    },
  });

  new Gauge({
    name: `${PREFIX}replica_serving`,
    help: 'Whether each streaming replica serves reads (1): it answers and is within REPLICA_MAX_LAG_MS.',
    labelNames: ['replica'],
    collect() {
      for (const state of gauges?.replicas() ?? []) {
        this.set({ replica: state.replica }, state.serving ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${PREFIX}replica_lag_seconds`,
    help: 'How far each streaming replica was behind the primary at its last probe.',
    labelNames: ['replica'],
    collect() {
      for (const state of gauges?.replicas() ?? []) {
        if (state.lagMs !== null) this.set({ replica: state.replica }, state.lagMs / 1000);
      }
    },
  });
  // Counted on every query: handed to prom-client when scraped.
  const reads = { replica: 0, primary: 0 };
  new Counter({
    name: `${PREFIX}query_reads_total`,
    help: 'Queries by where their reads went: a streaming replica, or the primary (none fit, no replicas, or x-consistency: strong).',
    labelNames: ['source'],
    collect() {
      this.reset();
      for (const source of ['replica', 'primary'] as const) {
        if (reads[source] > 0) this.inc({ source }, reads[source]);
      }
    },
  });

  const countErrors: Plugin = {
    onRequest() {
      requestCount += 1;
    },
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors) return;
      for (const error of result.errors) {
        errors.inc({ code: String(error.extensions?.code ?? 'NONE') });
      }
    },
  };

  created = {
    registry: register,
    plugins: () => [countErrors],
    requestDone: (operation, type, status, seconds) => {
      let name = operation ?? '';
      if (!operationNames.has(name)) {
        if (operationNames.size < MAX_OPERATION_NAMES) operationNames.add(name);
        else name = '(other)';
      }
      requestSeconds.series(name, type ?? '', String(status)).observe(seconds);
    },
    observeStatement: () => {
      inFlight += 1;
      const started = performance.now();
      return () => {
        inFlight -= 1;
        statementSeconds.observe((performance.now() - started) / 1000);
      };
    },
    rateLimited: () => refusals.inc(),
    stalledClientClosed: () => stalled.inc(),
    watch: (next) => {
      gauges = next;
    },
    queryRead: (source) => {
      reads[source] += 1;
    },
  };
  return created;
}
