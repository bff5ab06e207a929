// npm run bench: drives customer-graph (production mode, real HTTP) and a raw node:http +
// postgres.js baseline with autocannon, interleaved in one batch, and prints a markdown table of
// medians (min-max) with every figure also as a ratio to the baseline. `npm run seed` first.
//
//   npm run bench                         the full batch (list, byid, deep, search, sorted, create,
//                                         append, subscribe)
//   npm run bench -- --runs 5 --duration 10 --scenarios list,byid
//   npm run bench -- --soak 600           byid held for 10 minutes, per-minute req/s and RSS
//   npm run bench -- --readme             also writes the table into README.md
//   npm run bench -- --cpu none           servers not pinned to one CPU (the default: the last)
//   npm run bench -- --against ../base    also runs another checkout's build (npm ci done there), in
//                                         the same batch: before/after figures as ratios of one run
//                                         (several: --against ../a,../b)
//   npm run bench -- --observability-off  runs this build six ways: every request traced, 1 in 100
//                                         traced (production), tracing on with none sampled, metrics
//                                         and logs, logs only, all off: what each costs; then the
//                                         in-process measure of production's observability
//   npm run bench -- --in-process 1000    that measure after any batch: byid in 1,000 pairs of
//                                         blocks, the list in a third as many (0: skipped)
//   npm run bench -- --workers 2         also this build with 2 worker processes (node:cluster): req/s
//                                         and CPU per request of 1 and 2 workers (servers float)
//   npm run bench -- --observability-off --variants ratio,logs
//                                         only those of the six (every, ratio, none, metrics, logs,
//                                         off): fewer servers alive on the CPU they share
//   npm run bench -- --observability-off --twins
//                                         each of those twice, as two servers: how far two
//                                         identical servers differ here (the batch's resolution)
//   npm run bench -- --replica postgres://…
//                                         also this build with its queries read from that streaming
//                                         replica of DATABASE_URL (DATABASE_REPLICA_URL)
//   npm run bench -- --profile DIR        every server writes a V8 CPU profile there when it stops
//                                         (<server name>.cpuprofile; open it in Chrome DevTools)
//   npm run bench -- --seed N             the servers' start order and their order in each run (new
//                                         random ones, from a seed the batch prints): the same again
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { projectPath } from '../src/lib/paths.js';
import { bundle, SERVER_BUNDLE } from '../src/scripts/build.js';
import { BY_ID, LIST, LIST_ORDERED, SEARCH } from './documents.js';
import { START_FLAGS } from './node-flags.js';
import { seededRandom, shuffled } from './order.js';
import { benchToken } from './token.js';
import { PRODUCTION_RATIO, PRODUCTION_SAMPLING, traceSink } from './trace-sink.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    scenarios: {
      type: 'string',
      default: 'list,byid,deep,search,sorted,create,bulk,append,subscribe',
    },
    soak: { type: 'string' },
    // Both servers on the last CPU by default (see start()); `--cpu none` lets them float.
    cpu: { type: 'string', default: cpus().length >= 2 ? String(cpus().length - 1) : 'none' },
    readme: { type: 'boolean', default: false },
    against: { type: 'string' },
    'observability-off': { type: 'boolean', default: false },
    'in-process': { type: 'string' },
    twins: { type: 'boolean', default: false },
    variants: { type: 'string', default: 'every,ratio,none,metrics,logs,off' },
    workers: { type: 'string' },
    profile: { type: 'string' },
    replica: { type: 'string' },
    seed: { type: 'string' },
  },
});

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (!/^postgres(ql)?:\/\//.test(DATABASE_URL)) {
  throw new Error('npm run bench measures against PostgreSQL: set DATABASE_URL=postgres://…');
}
const CONNECTIONS = Number(args.connections);
/** The CPU both servers are pinned to, or null when they float. */
// --workers compares 1 worker process with N: pinned to one CPU, N workers could not use more, so
// they float unless --cpu is given.
const PINNED_CPU =
  args.cpu === 'none' || (args.workers && !process.argv.includes('--cpu'))
    ? null
    : (args.cpu ?? null);
const PINNING = PINNED_CPU === null ? 'servers not pinned' : `servers on CPU ${PINNED_CPU}`;
const COMPANY = 'com_00';
/** Both servers run bundled, as `npm start` runs the server (neither pays for tsx). */
const RAW_BUNDLE = projectPath('dist', 'raw-server.js');
const SECRET = randomBytes(32).toString('base64url');
/** The seed of the servers' orders (their start, and each run's), printed with the batch. */
const SEED = args.seed === undefined ? randomBytes(4).readUInt32LE() : Number(args.seed);
const random = seededRandom(SEED);

// --- processes ----------------------------------------------------------------------------------

interface Server {
  name: string;
  url: string;
  /** Where its counters are read: its METRICS_PORT listener, or (older builds) /metrics. */
  metricsUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

function start(
  name: string,
  script: string,
  env: Record<string, string>,
  /** The line it logs when it listens (with its URL), or its URL when it logs nothing then. */
  ready: RegExp | string,
): Promise<Server> {
  // With --cpu N both servers run on that one CPU (taskset), so that neither meets a slower CPU
  // than the other; the load and the database run on the rest.
  const command =
    PINNED_CPU === null ? [process.execPath] : ['taskset', '-c', PINNED_CPU, process.execPath];
  const profiling = args.profile
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${resolve(args.profile)}`,
        `--cpu-prof-name=${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`,
      ]
    : [];
  const child = spawn(command[0]!, [...command.slice(1), ...START_FLAGS, ...profiling, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const listening = (url: string) =>
      resolve({
        name,
        url,
        metricsUrl: env.METRICS_PORT ? `http://127.0.0.1:${env.METRICS_PORT}` : url,
        child,
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    let listened = false;
    const onData = (chunk: Buffer) => {
      // Once it listens, only the tail is kept (for the message if it exits): with a log line
      // per request, matching the whole output on every chunk cost the bench's process (on the
      // same two CPUs) more and more CPU.
      output = listened ? (output + chunk).slice(-16_384) : output + chunk;
      if (listened || typeof ready === 'string') return;
      const match = ready.exec(output);
      if (match?.[1]) {
        listened = true;
        listening(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    if (typeof ready === 'string') {
      const poll = () =>
        fetch(`${ready}/healthz`).then(
          (response) => {
            if (!response.ok) return setTimeout(poll, 100);
            listened = true;
            listening(ready);
          },
          () => setTimeout(poll, 100),
        );
      poll();
    }
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux.

/** CPU time (user + system) the process has used, in ms. */
/** The /proc/PID/stat fields after the command (ppid is the second, utime and stime 12th, 13th). */
function statOf(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU ms the process and its children (a cluster's workers) have used. */
function cpuMs(pid: number): number {
  const own = statOf(pid);
  let total = own ? (Number(own[11]) + Number(own[12])) * CLOCK_TICK_MS : 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statOf(entry);
    if (fields && Number(fields[1]) === pid) {
      total += (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
    }
  }
  return total;
}

/**
 * Waits (5 s at most) until no server burns CPU: a server's work left from its own run (a traced
 * one exporting its spans, a garbage collection) would otherwise be charged to the next one
 * measured, on the CPU they share.
 */
async function quiesce(servers: readonly Server[]): Promise<void> {
  const total = () => servers.reduce((sum, server) => sum + cpuMs(server.child.pid!), 0);
  const deadline = Date.now() + 5_000;
  let before = total();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = total();
    if (now - before <= 2 * CLOCK_TICK_MS) return;
    before = now;
  }
}

/** Resident and peak resident memory, in MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * Statements executed so far: from pg_stat_statements when the server has it loaded (BEGIN and
 * COMMIT included), else from the server's own counter at its metrics listener.
 */
let statementsFromPg: postgres.Sql | null = null;

async function counters(server: Server): Promise<{ requests: number; statements: number }> {
  // Builds before METRICS_PORT served their counters on the public port (METRICS=true).
  const text = await fetch(`${server.metricsUrl}/metrics`)
    .catch(() => fetch(`${server.url}/metrics`))
    .then((response) => response.text());
  const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  let statements = read(/^(?:customer_graph_)?sql_statements_total (\d+)/m);
  if (statementsFromPg) {
    const [row] = await statementsFromPg<{ n: string }[]>`
      select coalesce(sum(calls), 0)::text as n from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())`;
    statements = Number(row?.n ?? Number.NaN);
  }
  // Anchored: prom-client's process metrics include `…nodejs_active_requests_total`.
  return { requests: read(/^(?:customer_graph_)?requests_total (\d+)/m), statements };
}

async function useStatementStatistics(): Promise<string> {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await sql`select 1 from pg_stat_statements limit 1`;
    statementsFromPg = sql;
    return 'pg_stat_statements';
  } catch {
    await sql.end();
    return "the servers' own counters (pg_stat_statements is not loaded here; BEGIN and COMMIT not counted)";
  }
}

// --- what is asked -------------------------------------------------------------------------------

const CREATE = `mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const CREATE_MANY = `mutation CreateMany($input: CreateCustomersInput!) { createCustomers(input: $input) { createdCount results { customer { id } } } }`;
/**
 * The company the bulk creates write to: a new one each batch, so that com_00 (read by the lists)
 * keeps its size and every batch starts from an empty company (the consent trail cannot be
 * deleted, so neither can the customers a batch made).
 */
const BULK_COMPANY = `com_bulk_${Date.now().toString(36)}`;
const BULK_SIZE = 100;
const APPEND = `mutation Append($input: AppendCustomerNotesInput!) {
  appendCustomerNotes(input: $input) { notes { id } } }`;

interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Another credential than the run's (the bulk creates' company). */
  token?: string;
}

interface Scenario {
  name: string;
  /** Requests cycled through, for the gateway and (reads only) the raw baseline. */
  gateway: BenchRequest[];
  raw?: BenchRequest[];
  /** Run with a subscriber of the company's events listening (SSE), timing what it receives. */
  subscribe?: boolean;
  /** A read the raw baseline does not serve (it runs with the reads, before the writes). */
  read?: boolean;
  /** Customers each request creates (the creation report: customers per second). */
  creates?: number;
}

const gql = (query: string, variables: unknown): BenchRequest => ({
  method: 'POST',
  path: '/graphql',
  body: JSON.stringify({ query, variables }),
});

async function prepare(gateways: Server[], token: string): Promise<Scenario[]> {
  const bulkToken = await benchToken(SECRET, BULK_COMPANY);
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`
    select count(*)::int as n from customers where company_id = ${COMPANY} and not deleted`;
  if (n < 40_050) throw new Error(`${COMPANY} holds ${n} customers; run \`npm run seed\` first`);
  const ids = (
    await sql<{ id: string }[]>`
    select id from customers where company_id = ${COMPANY} and created_by = 'seed' order by id limit 1000`
  ).map((r) => r.id);
  await sql.end();

  // The cursor of row 40,000, reached the way a client would: page after page. Every server
  // pages there, so that each has the same history when the runs start, and all must agree.
  const cursorAt40k = async (gateway: Server, orderBy: string) => {
    let cursor: string | null = null;
    for (let seen = 0; seen < 40_000; seen += 500) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `query($c: ID!, $a: String) { customers(companyId: $c, first: 500, after: $a${orderBy}) { pageInfo { endCursor } } }`,
          variables: { c: COMPANY, a: cursor },
        }),
      });
      const body = (await response.json()) as {
        data?: { customers: { pageInfo: { endCursor: string } } };
      };
      cursor = body.data?.customers.pageInfo.endCursor ?? null;
    }
    return cursor;
  };
  const cursors = await Promise.all(gateways.map((gateway) => cursorAt40k(gateway, '')));
  const after = cursors[0] ?? null;
  if (cursors.some((cursor) => cursor !== after)) {
    throw new Error(`the servers disagree on the cursor of row 40,000: ${cursors.join(', ')}`);
  }
  // The same depth in NAME order, from the first server (a NAME cursor holds only an ID).
  const byName = await cursorAt40k(gateways[0]!, ', orderBy: { field: NAME }');

  const phone = (i: number) => `+1646${String(5_550_000 + (i % 1_000_000)).padStart(7, '0')}`;
  const appends = ids.map((id, i) =>
    gql(APPEND, {
      input: {
        customerId: id,
        notes: [{ note: `Bench note ${i}a` }, { note: `Bench note ${i}b` }],
      },
    }),
  );
  // What the create scenarios create: the seed's kind of customer, with an address, a tag, a note.
  const newCustomer = (companyId: string, i: number) => ({
    companyId,
    preferredBusinessId: 'biz_001',
    firstName: 'Bench',
    lastName: `Customer ${i}`,
    phone: phone(i),
    email: `bench${i}@example.com`,
    address: { street: `${i} Bench St`, city: 'New York', state: 'NY', zip: '10001' },
    tags: [{ name: 'VIP' }],
    notes: [{ note: 'Created by the benchmark.' }],
    complianceConfig: { serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'], isConsented: true },
  });
  return [
    {
      name: 'list',
      gateway: [gql(LIST, { companyId: COMPANY, first: 50 })],
      raw: [{ method: 'GET', path: `/list?company=${COMPANY}&first=50` }],
    },
    {
      name: 'byid',
      gateway: ids.map((id) => gql(BY_ID, { id })),
      raw: ids.map((id) => ({ method: 'GET', path: `/byid?company=${COMPANY}&id=${id}` })),
    },
    {
      name: 'deep',
      gateway: [gql(LIST, { companyId: COMPANY, first: 50, after })],
      raw: [{ method: 'GET', path: `/list?company=${COMPANY}&first=50&after=${after}` }],
    },
    {
      // A front desk's search box: three words, two of them misspelt, best matches first.
      name: 'search',
      gateway: [
        gql(SEARCH, { companyId: COMPANY, first: 20, filter: { query: 'olivya smth customer1' } }),
      ],
      read: true,
    },
    {
      // NAME ASC: the first page of 50, and a page 40,000 rows deep.
      name: 'sorted',
      gateway: [
        gql(LIST_ORDERED, { companyId: COMPANY, first: 50, orderBy: { field: 'NAME' } }),
        gql(LIST_ORDERED, {
          companyId: COMPANY,
          first: 50,
          after: byName,
          orderBy: { field: 'NAME' },
        }),
      ],
      read: true,
    },
    {
      name: 'create',
      gateway: Array.from({ length: 1000 }, (_, i) =>
        gql(CREATE, { input: newCustomer(COMPANY, i) }),
      ),
      creates: 1,
    },
    // The same customers, 100 to a createCustomers call (in a company of their own).
    {
      name: 'bulk',
      gateway: Array.from({ length: 20 }, (_, b) => ({
        ...gql(CREATE_MANY, {
          input: {
            companyId: BULK_COMPANY,
            customers: Array.from({ length: BULK_SIZE }, (_, i) =>
              newCustomer(BULK_COMPANY, b * BULK_SIZE + i),
            ),
          },
        }),
        token: bulkToken,
      })),
      creates: BULK_SIZE,
    },
    {
      name: 'append',
      gateway: appends,
    },
    // The append load again, with a subscriber of the company's events (what it receives, and
    // how long after each write's time).
    { name: 'subscribe', gateway: appends, subscribe: true },
  ];
}

/** What a subscriber received during a run. */
interface Received {
  events: number;
  /** Milliseconds from each event's write time to its arrival at the subscriber. */
  latencies: number[];
}

/**
 * Runs `work` with an SSE subscriber of the company's events; a server without the
 * subscription (an older build) gives no events.
 */
async function subscribedWhile<T>(
  server: Server,
  token: string,
  work: () => Promise<T>,
): Promise<{ result: T; received: Received }> {
  const controller = new AbortController();
  const received: Received = { events: 0, latencies: [] };
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      query: 'subscription($c: ID!) { customerEvents(companyId: $c) { occurredTime } }',
      variables: { c: COMPANY },
    }),
    signal: controller.signal,
  });
  const reading = (async () => {
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          const at = data
            ? (JSON.parse(data) as { data?: { customerEvents?: { occurredTime: string } } }).data
                ?.customerEvents?.occurredTime
            : undefined;
          if (at) {
            received.events += 1;
            received.latencies.push(Date.now() - Date.parse(at));
          }
        }
      }
    } catch {
      // Aborted at the end of the run.
    }
  })();
  const result = await work();
  // The last writes' events are still on their way.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  controller.abort();
  await reading;
  return { result, received };
}

// --- measuring -----------------------------------------------------------------------------------

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  statementsPerRequest: number;
  errors: number;
  bytes: number;
}

async function drive(
  server: Server,
  requests: BenchRequest[],
  seconds: number,
  token: string | null,
): Promise<Sample> {
  const pid = server.child.pid!;
  const before = { cpu: cpuMs(pid), counters: await counters(server) };
  let next = 0;
  // Percentiles from every response's own time: autocannon's histogram counts whole
  // milliseconds, which at a p99 of 9 ms is a tenth of the figure.
  const latencies: number[] = [];
  const options: autocannon.Options = {
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    requests: [
      {
        setupRequest: (request) => {
          const pick = requests[next++ % requests.length]!;
          return {
            ...request,
            method: pick.method,
            path: pick.path,
            ...(pick.body ? { body: pick.body } : {}),
            ...(pick.token
              ? { headers: { ...request.headers, authorization: `Bearer ${pick.token}` } }
              : {}),
          };
        },
      },
    ],
    // A GraphQL error still answers 200: count it as a failure.
    verifyBody: (body) => !String(body ?? '').includes('"errors"'),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  const after = { cpu: cpuMs(pid), counters: await counters(server) };
  // The server's own count of requests (the counter's read is not one of them); without a
  // counter (metrics off), autocannon's.
  const counted = after.counters.requests - before.counters.requests - 1;
  const served = Math.max(1, Number.isNaN(counted) ? result.requests.total : counted);
  return {
    rps: result.requests.average,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPerRequest: (after.cpu - before.cpu) / result.requests.total,
    statementsPerRequest: (after.counters.statements - before.counters.statements) / served,
    errors: result.errors + result.non2xx + result.timeouts + (result.mismatches ?? 0),
    bytes: result.throughput.average / Math.max(1, result.requests.average),
  };
}

/** The smallest value with at least `q` of all values at or below it. */
function percentile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const range = (xs: number[], digits = 0) =>
  `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

/** What each customer-graph server runs with, whichever build it is. */
const GATEWAY_ENV = {
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  AUTH_JWT_SECRET: SECRET,
  LOG_LEVEL: 'info',
  METRICS: 'true',
  CUSTOMER_QUOTA: '100000000',
  // The bench's load is one credential's: a bucket it never empties (the charge still runs).
  RATE_LIMIT_POINTS: '1000000000',
  RATE_LIMIT_RESTORE: '1000000000',
  ...(process.env.DATABASE_POOL_SIZE ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE } : {}),
  ...(process.env.WORKERS ? { WORKERS: process.env.WORKERS } : {}),
};
/** The line a server logs when it listens (its log format has changed over time). */
const LISTENING = /"url":"(http:\/\/[^"]+)\/graphql"/;

/** The servers to compare: this checkout's build first, then each --against checkout's. */
async function startGateways(): Promise<Server[]> {
  await bundle('src/main.ts', SERVER_BUNDLE);
  // Each server's metrics on a port of its own.
  const metricsPort = (i: number) => ({ METRICS_PORT: String(9460 + i) });
  const gateways: Server[] = [];
  if (!args['observability-off']) {
    gateways.push(
      await start(
        args.workers ? 'customer-graph, 1 worker' : 'customer-graph',
        SERVER_BUNDLE,
        { ...GATEWAY_ENV, ...metricsPort(0) },
        LISTENING,
      ),
    );
  } else {
    // What each part costs: every request traced; 1 in 100 traced (the sampling production runs
    // with); tracing on with none sampled (what tracing costs a request it drops); metrics and
    // request logs without traces; request logs; nothing. --variants picks some, by their keys.
    const sink = await traceSink();
    const variants: Record<string, [string, Record<string, string>]> = {
      every: ['all on, every request traced', { OTEL_EXPORTER_OTLP_ENDPOINT: sink }],
      ratio: [
        `all on, 1 in ${1 / PRODUCTION_RATIO} traced`,
        { OTEL_EXPORTER_OTLP_ENDPOINT: sink, ...PRODUCTION_SAMPLING },
      ],
      none: [
        'tracing, none sampled',
        { OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_TRACES_SAMPLER: 'always_off' },
      ],
      metrics: ['metrics and logs, no traces', {}],
      // Request logs alone: the baseline of what metrics and traces cost (logs are always on).
      // No metrics listener: its SQL/req shows as NaN.
      logs: ['logs only', { METRICS_PORT: '' }],
      // No metrics listener, so no statement counter: its SQL/req shows as NaN. At warn it logs no
      // line when it listens: it is found on a port of its own (given below).
      off: ['all off', { LOG_LEVEL: 'warn' }],
    };
    const keys = args.variants.split(',');
    const unknown = keys.filter((key) => !(key in variants));
    if (unknown.length > 0) {
      throw new Error(`--variants: no ${unknown.join(', ')} (${Object.keys(variants).join(', ')})`);
    }
    // Twins: each variant twice, as two servers, measured in the same rotation.
    const starts = keys.flatMap((key) => {
      const [name, env] = variants[key]!;
      return (args.twins ? [' (a)', ' (b)'] : ['']).map(
        (suffix): [string, Record<string, string>] => [`customer-graph, ${name}${suffix}`, env],
      );
    });
    const environments = starts.map(
      ([name, env], i): [string, Record<string, string>, RegExp | string] => {
        if (env.LOG_LEVEL !== 'warn')
          return [name, { ...GATEWAY_ENV, ...metricsPort(i), ...env }, LISTENING];
        const port = String(9500 + i);
        return [name, { ...GATEWAY_ENV, ...env, PORT: port }, `http://127.0.0.1:${port}`];
      },
    );
    // Started in a random order too (the seed's), so that none is always the oldest process;
    // listed in the variants' order.
    const started: Server[] = [];
    for (const i of shuffled([...environments.keys()], random)) {
      const [name, env, ready] = environments[i]!;
      started[i] = await start(name, SERVER_BUNDLE, env, ready);
    }
    gateways.push(...started);
  }
  if (args.workers) {
    // The same build with N worker processes (node:cluster) on the same port, beside the one above.
    gateways.push(
      await start(
        `customer-graph, ${args.workers} workers`,
        SERVER_BUNDLE,
        { ...GATEWAY_ENV, ...metricsPort(gateways.length), WORKERS: args.workers },
        LISTENING,
      ),
    );
  }
  if (args.replica) {
    // The same build reading its queries from a streaming replica of the database.
    gateways.push(
      await start(
        'customer-graph, reads on a replica',
        SERVER_BUNDLE,
        { ...GATEWAY_ENV, ...metricsPort(gateways.length), DATABASE_REPLICA_URL: args.replica },
        LISTENING,
      ),
    );
  }
  for (const dir of (args.against ?? '').split(',').filter(Boolean)) {
    const root = resolve(dir);
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    gateways.push(
      await start(
        `customer-graph@${basename(root)}`,
        join(root, 'dist', 'main.js'),
        { ...GATEWAY_ENV, ...metricsPort(gateways.length) },
        LISTENING,
      ),
    );
  }
  return gateways;
}

async function main() {
  await bundle('bench/raw-server.ts', RAW_BUNDLE);
  const gateways = await startGateways();
  const gateway = gateways[0]!;
  const raw = await start('raw', RAW_BUNDLE, {}, /raw baseline listening on (\d+)/);
  raw.url = `http://127.0.0.1:${raw.url}`;
  const token = await benchToken(SECRET, COMPANY);

  const statementSource = await useStatementStatistics();
  /** The batch's table, when a batch (not a soak) ran. */
  let table: string | null = null;
  try {
    const scenarios = await prepare(gateways, token);
    for (const each of gateways) await checkSameJson(each, raw, token, scenarios);
    if (args.soak) await soak(gateway, token, scenarios, Number(args.soak));
    else table = await batch(gateways, raw, token, scenarios, statementSource);
  } finally {
    await Promise.all([...gateways.map((g) => g.stop()), raw.stop(), statementsFromPg?.end()]);
  }
  if (table === null) return;
  // After the servers have stopped: the measure has the machine to itself.
  const pairs = Number(args['in-process'] ?? (args['observability-off'] ? 300 : 0));
  if (pairs > 0) table += `\n\n${inProcess(pairs)}`;
  process.stdout.write(`\n${table}\n`);
  if (args.readme) writeReadme(table);
}

/**
 * Production's observability (metrics, and traces sampled as production samples them) against
 * none, in one process (bench/tracing-in-process.ts): identical servers differ here by more than
 * the few percent to resolve, two apps in one process by about 1.5% over 1,000 pairs. byid in
 * `pairs` pairs of 100 requests, the list in a third as many pairs of 20.
 */
function inProcess(pairs: number): string {
  // Synchronous: the servers have stopped, and nothing else in this process has work to do.
  const measure = (env: Record<string, string>, blocks: number, requests: number) =>
    execFileSync(
      projectPath('node_modules', '.bin', 'tsx'),
      ['bench/tracing-in-process.ts', String(blocks), String(requests)],
      {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          DATABASE_URL,
          METRICS: '1',
          RATIO: String(PRODUCTION_RATIO),
          ...env,
        },
      },
    ).trim();
  process.stdout.write(`\nIn one process, ${pairs} pairs (bench/tracing-in-process.ts)…\n`);
  const byid = measure({ WARMUP: '20' }, pairs, 100);
  const list = measure({ WARMUP: '10', SCENARIO: 'list' }, Math.ceil(pairs / 3), 20);
  return `Production's observability in one process (\`npm run bench -- --in-process ${pairs}\`; ratio of CPU per request, observed / plain):\n\n- ${byid}\n- ${list}`;
}

/** The baseline must answer what the gateway answers, or the ratio means nothing. */
async function checkSameJson(gateway: Server, raw: Server, token: string, scenarios: Scenario[]) {
  for (const scenario of scenarios.filter((s) => s.raw)) {
    const [g, r] = [scenario.gateway[0]!, scenario.raw![0]!];
    const fromGateway = await (
      await fetch(`${gateway.url}${g.path}`, {
        method: g.method,
        body: g.body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      })
    ).text();
    const fromRaw = await (await fetch(`${raw.url}${r.path}`)).text();
    // The data must be the same bytes; the gateway's answer also carries extensions.cost.
    const dataOf = (text: string) => JSON.stringify((JSON.parse(text) as { data?: unknown }).data);
    if (dataOf(fromGateway) !== dataOf(fromRaw)) {
      throw new Error(
        `${scenario.name}: the baseline's JSON differs from ${gateway.name}'s:\n${fromGateway.slice(0, 400)}\n${fromRaw.slice(0, 400)}`,
      );
    }
  }
}

/**
 * A quiet database to start from: tables analysed and vacuumed, dirty pages written, so that
 * neither server meets the database's own catch-up work (best effort: needs the rights).
 */
async function settleDatabase() {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('vacuum (analyze)');
    await sql.unsafe('checkpoint');
  } catch (error) {
    process.stdout.write(
      `(database not settled: ${error instanceof Error ? error.message : error})\n`,
    );
  } finally {
    await sql.end();
  }
}

async function batch(
  gateways: Server[],
  raw: Server,
  token: string,
  all: Scenario[],
  statementSource: string,
) {
  const wanted = new Set(args.scenarios!.split(','));
  const scenarios = all.filter((s) => wanted.has(s.name));
  const runs = Number(args.runs);
  const seconds = Number(args.duration);
  process.stdout.write(
    `customer-graph benchmark: ${runs} runs of ${seconds} s per scenario, ${CONNECTIONS} connections, ` +
      `interleaved with the raw baseline, servers in a new order each run (--seed ${SEED}); ` +
      `${cpus().length} CPUs, ${PINNING}\n`,
  );
  await settleDatabase();
  const servers = [raw, ...gateways];
  /** Per scenario, the samples of each server by name. */
  const samples: Record<string, Record<string, Sample[]>> = {};
  /** What each server's subscriber received in the subscribe runs. */
  const subscribers: Record<string, (Received & { seconds: number })[]> = {};
  const requestsOf = (scenario: Scenario, server: Server) =>
    server === raw ? scenario.raw : scenario.gateway;
  // Every run of the reads first, then the writes: what writing leaves the database to do
  // (autovacuum, checkpoints) would otherwise fall on the next round's reads.
  const reads = (s: Scenario) => s.raw !== undefined || s.read === true;
  for (const phase of [scenarios.filter(reads), scenarios.filter((s) => !reads(s))]) {
    for (const scenario of phase) {
      for (const server of servers) {
        const requests = requestsOf(scenario, server);
        if (requests)
          await drive(server, requests, Number(args.warmup), server === raw ? null : token);
      }
    }
    for (let run = 0; run < runs; run += 1) {
      for (const scenario of phase) {
        samples[scenario.name] ??= {};
        const entry = samples[scenario.name]!;
        // A new order each run, so that none always meets a warmer database or the same
        // predecessor on the CPU they share (bench/order.ts).
        for (const server of shuffled(servers, random)) {
          const requests = requestsOf(scenario, server);
          if (!requests) continue;
          await quiesce(servers);
          const run = () => drive(server, requests, seconds, server === raw ? null : token);
          if (!scenario.subscribe) {
            entry[server.name] = [...(entry[server.name] ?? []), await run()];
            continue;
          }
          const { result, received } = await subscribedWhile(server, token, run);
          entry[server.name] = [...(entry[server.name] ?? []), result];
          subscribers[server.name] = [
            ...(subscribers[server.name] ?? []),
            { ...received, seconds },
          ];
        }
        const last = (name: string) => {
          const sample = entry[name]?.at(-1);
          return sample ? `${name} ${fmt(sample.rps)} req/s, p99 ${fmt(sample.p99, 1)} ms` : null;
        };
        const line = servers
          .map((server) => last(server.name))
          .filter(Boolean)
          .join('; ');
        process.stdout.write(`  run ${run + 1}/${runs} ${scenario.name}: ${line}\n`);
      }
    }
  }
  const peaks = servers.map(
    (server) => `${server.name} ${fmt(memory(server.child.pid!).peak)} MiB`,
  );
  const table = `${report(
    samples,
    raw.name,
    gateways.map((g) => g.name),
  )}${subscriberReport(subscribers)}${creationReport(samples, scenarios, gateways)}\n\nPeak RSS: ${peaks.join(', ')}.\nSQL statements counted by ${statementSource}.`;
  return table;
}

/**
 * The create scenarios as customers created per second (req/s times the customers each request
 * creates), and each one's ratio to the single creates of the same server.
 */
function creationReport(
  samples: Record<string, Record<string, Sample[]>>,
  scenarios: Scenario[],
  gateways: Server[],
): string {
  const creating = scenarios.filter((s) => s.creates !== undefined && samples[s.name]);
  if (creating.length === 0) return '';
  const rate = (scenario: Scenario, server: Server) =>
    median((samples[scenario.name]![server.name] ?? []).map((s) => s.rps)) * scenario.creates!;
  const single = creating.find((s) => s.creates === 1);
  const rows = gateways.flatMap((server) =>
    creating.map((scenario) => [
      scenario.name,
      server.name,
      fmt(rate(scenario, server)),
      single ? fmt(rate(scenario, server) / rate(single, server), 1) : '–',
    ]),
  );
  return `\n\nCustomers created per second (req/s × customers per request):\n\n${markdownTable(['scenario', 'server', 'customers/s', '× create'], rows).join('\n')}`;
}

/** The subscribe runs: events a subscriber received per second, and their end-to-end latency. */
function subscriberReport(runs: Record<string, (Received & { seconds: number })[]>): string {
  const rows = Object.entries(runs).map(([name, received]) => [
    name,
    range(received.map((r) => r.events / r.seconds)),
    fmt(median(received.map((r) => percentile(r.latencies, 0.5))), 1),
    fmt(median(received.map((r) => percentile(r.latencies, 0.99))), 1),
  ]);
  if (rows.length === 0) return '';
  return `\n\nA subscriber (SSE) during the subscribe runs: events received per second, and ms from each write's time to its arrival.\n\n${markdownTable(['server', 'events/s median (min–max)', 'p50 ms', 'p99 ms'], rows).join('\n')}`;
}

function report(
  samples: Record<string, Record<string, Sample[]>>,
  rawName: string,
  gatewayNames: string[],
) {
  const rows: string[][] = [];
  for (const [name, byServer] of Object.entries(samples)) {
    const base = byServer[rawName];
    const row = (who: string, xs: Sample[]) => {
      const at = (key: keyof Sample) => median(xs.map((s) => s[key]));
      const ratio = (key: keyof Sample) =>
        base?.length && who !== rawName ? fmt(at(key) / median(base.map((s) => s[key])), 2) : '–';
      rows.push([
        name,
        who,
        range(xs.map((s) => s.rps)),
        ratio('rps'),
        fmt(at('p50'), 1),
        fmt(at('p99'), 1),
        ratio('p99'),
        fmt(at('cpuPerRequest'), 2),
        fmt(at('statementsPerRequest'), 1),
        fmt(at('bytes') / 1024, 1),
        String(xs.reduce((n, s) => n + s.errors, 0)),
      ]);
    };
    for (const who of [rawName, ...gatewayNames]) {
      const xs = byServer[who];
      if (xs?.length) row(who, xs);
    }
  }
  return markdownTable(
    [
      'scenario',
      'server',
      'req/s median (min–max)',
      '× raw',
      'p50 ms',
      'p99 ms',
      'p99 × raw',
      'CPU ms/req',
      'SQL/req',
      'KB/resp',
      'errors',
    ],
    rows,
  ).join('\n');
}

/** A markdown table with its columns padded, readable as text too. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function writeReadme(table: string) {
  const file = `${ROOT}README.md`;
  const readme = readFileSync(file, 'utf8');
  const block = `<!-- bench:start -->\n\`${process.argv.slice(2).length ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench'}\`, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs, ${PINNING}:\n\n${table}\n<!-- bench:end -->`;
  writeFileSync(file, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
  process.stdout.write('README.md updated\n');
}

async function soak(gateway: Server, token: string, scenarios: Scenario[], seconds: number) {
  const byid = scenarios.find((s) => s.name === 'byid')!;
  const minutes = Math.max(1, Math.round(seconds / 60));
  const window = seconds / minutes;
  process.stdout.write(
    `soak: byid for ${seconds} s, ${CONNECTIONS} connections\n\n| minute | req/s | p99 ms | RSS MiB (median) | RSS MiB (peak) |\n|---|---|---|---|---|\n`,
  );
  // RSS sampled every second, judged by the minute's median: one reading lands anywhere between
  // two full collections, and the peak is one moment's (shown, not judged).
  const rows: { rps: number; rss: number }[] = [];
  for (let minute = 1; minute <= minutes; minute += 1) {
    const readings: number[] = [];
    const sampler = setInterval(() => readings.push(memory(gateway.child.pid!).rss), 1000);
    const sample = await drive(gateway, byid.gateway, window, token).finally(() =>
      clearInterval(sampler),
    );
    const rss = median(readings);
    const peak = Math.max(...readings);
    rows.push({ rps: sample.rps, rss });
    process.stdout.write(
      `| ${minute} | ${fmt(sample.rps)} | ${fmt(sample.p99, 1)} | ${fmt(rss, 1)} | ${fmt(peak, 1)} |\n`,
    );
  }
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const kept = last.rps / first.rps;
  const growth = last.rss / first.rss - 1;
  const verdict = kept >= 0.95 && growth < 0.1 ? 'holds' : 'FAILS';
  process.stdout.write(
    `\nlast minute keeps ${fmt(kept * 100, 1)}% of the first minute's throughput (≥ 95%), ` +
      `the median RSS grows ${fmt(growth * 100, 1)}% (< 10%): ${verdict}\n`,
  );
  if (verdict !== 'holds') process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
