// What observability costs a request, measured inside one process: two apps, one without tracing
// and one with tracing on (none sampled, or a share: RATIO; with metrics too: METRICS=1), each
// sent the same blocks of requests in turn (ABBA), CPU per request from process.cpuUsage.
// Separate server processes differ by 10–25% here whatever they run (docs/performance.md); two
// apps in one process share the JIT, the heap and the CPU's moment, so what is left between them
// is the observability code. No HTTP: app.fetch. Both write request logs (to a sink). Needs the
// bench database (`npm run seed`).
//
//   npx tsx bench/tracing-in-process.ts [blocks=40] [requests=500]
//   RATIO=0.05 npx tsx bench/tracing-in-process.ts  the traced app samples 1 in 20 (RATIO=1: all)
//   METRICS=1 …                                      and has metrics (statements counted, timed)
//   SCENARIO=list …                                  customers(first: 50) rather than byid
//   CONTROL=1 npx tsx bench/tracing-in-process.ts   two apps without either: the method's bias
//   WARMUP=50 …                                      ABBA pairs run first, not counted (default 1)
//   EXPORT=none …                                    spans dropped as they end, not exported
//   SPREAD=request RATIO=0.05 …                      every 20th request sampled, not 1 in 20 at random
//   SPREAD=block RATIO=0.05 …                        every 20th block of the traced app sampled whole
//   COUNT=instructions …                             under callgrind: instructions per request, not CPU
//   COUNT=instructions SIMULATE=1 …                  and callgrind's estimate of cycles (cache, branches)
//   ONLY=plain … / ONLY=observed …                   one app's blocks alone: compare processes, not apps
//   BLOCKS=1 …                                       each block's figure (and GC time) to stderr
//
// COUNT=instructions takes the machine's noise out, not V8's (bench/instructions.ts), at about 50
// times the run time; the batch processor's delay (OTEL_BSP_SCHEDULE_DELAY, 5 s) and the request's
// deadline are stretched as much, so that a flush comes after as much work as in a real run.
//
// Besides CPU per request: GC time per request (from `gc` performance entries) and socket writes
// and reads per request (postgres.js coalesces a block's statements into fewer writes, each a
// system call; in a profile the writes are a fifth of a byid request's CPU), for each app.
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { loadConfig } from '../src/config.js';
import { openStore, type Store } from '../src/db/client.js';
import { type App, createApp } from '../src/http/app.js';
import { processMetrics } from '../src/http/metrics.js';
import { createLogger } from '../src/lib/logger.js';
import { projectPath } from '../src/lib/paths.js';
import { startTracing } from '../src/lib/tracing.js';
import { apiKeyRepository } from '../src/repositories/api-key.js';
import { bundle } from '../src/scripts/build.js';
import { BY_ID, LIST } from './documents.js';
import { dumpCounts, estimatedCycles, underCallgrind, underCallgrindHere } from './instructions.js';
import { START_FLAGS } from './node-flags.js';
import { BENCH_AUDIENCE, benchToken } from './token.js';
import { traceSinkProcess } from './trace-sink.js';

// Measured as `npm start` runs the server: bundled, with its node flags. Under tsx (which compiles
// each file with esbuild's keepNames: a defineProperty for every closure made) the observed app
// paid for the closures it makes more than the plain one. Started from source, this file bundles
// itself into dist/ and runs the bundle; node flags such as --cpu-prof go in NODE_OPTIONS.
if (import.meta.url.endsWith('.ts')) {
  const bundled = projectPath('dist', 'tracing-in-process.js');
  await bundle('bench/tracing-in-process.ts', bundled);
  // NODE_FLAGS: flags NODE_OPTIONS does not take (V8's own, such as --predictable-gc-schedule).
  const extra = process.env.NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const args = [...START_FLAGS, ...extra, bundled, ...process.argv.slice(2)];
  const counting = process.env.COUNT === 'instructions';
  const run = counting ? underCallgrind(args) : null;
  const child = spawn(run?.command ?? process.execPath, run?.args ?? args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...run?.env,
      ...(counting && {
        OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '250000',
        // Nor is a request 50 times slower past its deadline.
        REQUEST_TIMEOUT_MS: process.env.REQUEST_TIMEOUT_MS ?? '600000',
      }),
    },
  });
  const code = await new Promise<number>((done) => child.on('exit', (c) => done(c ?? 1)));
  run?.cleanup();
  process.exit(code);
}

const [blocks = 40, amount = 500] = process.argv.slice(2, 4).map(Number);
const RATIO = Number(process.env.RATIO ?? 0);
if (!(RATIO >= 0 && RATIO <= 1)) throw new Error('RATIO is a share of requests, 0 to 1');
const METRICS = Boolean(process.env.METRICS);
const CONTROL = Boolean(process.env.CONTROL);
const SCENARIO = process.env.SCENARIO ?? 'byid';
if (SCENARIO !== 'byid' && SCENARIO !== 'list') throw new Error('SCENARIO is byid or list');
const SPREAD = process.env.SPREAD;
if (SPREAD !== undefined && !(SPREAD === 'request' || SPREAD === 'block'))
  throw new Error('SPREAD is request or block');
if (SPREAD && !RATIO) throw new Error('SPREAD spreads a share of sampled requests: give RATIO');

const SECRET = 'x'.repeat(40);
const COUNTING = underCallgrindHere();
const loaded = loadConfig({
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench',
});
// Under callgrind a connection takes far longer to set up than the second a server allows it.
const config =
  COUNTING && loaded.database.kind === 'postgres' && loaded.database.timeouts
    ? {
        ...loaded,
        database: {
          ...loaded.database,
          timeouts: { ...loaded.database.timeouts, connect: 60_000 },
        },
      }
    : loaded;
// Each app its own store (pool), as each server has: the observed one counts and times its
// statements when it has metrics, as main.ts sets it up.
const metrics = METRICS && !CONTROL ? processMetrics() : null;
/** The app without observability, and the one with it. */
type Name = 'plain' | 'observed';
const stores: Record<Name, Store> = {
  plain: await openStore(config.database),
  observed: await openStore(
    config.database,
    metrics ? { onStatement: metrics.observeStatement } : {},
  ),
};
const sql = (stores.plain.driver as { client: import('postgres').Sql }).client;
const ids = (
  await sql<{ id: string }[]>`select id from customers where company_id = 'com_00' limit 500`
).map((r) => r.id);
const token = await benchToken(SECRET, 'com_00');
// Request logs as production writes them, to a sink.
const logger = createLogger('info', () => {});
// Spans exported as production exports them (batched, OTLP/HTTP), to a collector in a process of
// its own, whose CPU is not counted; or (EXPORT=none) dropped as each ends, to tell what the
// export costs from what making the spans does.
const DROPPED: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};
const sink = await traceSinkProcess();
const tracing = startTracing({
  serviceName: 'bench',
  ...(process.env.EXPORT === 'none' ? { exporter: DROPPED } : { endpoint: sink.url }),
  sampler: SPREAD
    ? { name: 'always_on', ratio: 1 }
    : RATIO
      ? { name: 'parentbased_traceidratio', ratio: RATIO }
      : { name: 'always_off', ratio: 1 },
});
// SPREAD: the same share of requests sampled, by count rather than at random: every (1 / RATIO)th
// request, or every request of every (1 / RATIO)th block of the traced app. Whether the sampled
// requests' cost depends on how they are mixed with the others.
const every = Math.round(1 / RATIO);
let observedBlocks = 0;
let observedRequests = 0;
const sampledHere = () =>
  SPREAD === 'block' ? observedBlocks % every === 0 : observedRequests++ % every === 0;
const spread: typeof tracing = SPREAD
  ? {
      ...tracing,
      requestSpan: (...span) => (sampledHere() ? tracing.requestSpan(...span) : undefined),
    }
  : tracing;
const appOn = (store: Store, observed: boolean) =>
  createApp({
    store,
    logger,
    customerQuota: 1_000_000,
    publicBaseUrl: 'http://bench',
    rateLimit: { capacity: 1e12, restorePerSecond: 1e12 },
    authenticate: createAuthenticator({
      jwtSecret: SECRET,
      jwksUrl: null,
      audience: BENCH_AUDIENCE,
      apiKeys: apiKeyRepository(store.db),
    }),
    graphiql: false,
    requestTimeoutMs: config.requestTimeoutMs,
    tracing: observed ? spread : undefined,
    metrics: observed && metrics !== null,
  });
const apps: Record<Name, App> = {
  plain: await appOn(stores.plain, false),
  observed: await appOn(stores.observed, !CONTROL),
};

let next = 0;
const body = () =>
  SCENARIO === 'byid'
    ? { query: BY_ID, variables: { id: ids[next++ % ids.length] } }
    : { query: LIST, variables: { companyId: 'com_00', first: 50 } };
/** The process's running totals: GC µs (from `gc` performance entries), socket writes and reads. */
const counted = { gc: 0, writes: 0, reads: 0 };
type Counted = typeof counted;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) counted.gc += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });
// Socket writes and reads (to PostgreSQL, and the observed app's span exports), counted by block:
// how well postgres.js coalesces a block's statements into writes, each a system call, and how
// many chunks its answers arrive in.
function countCalls(
  method: 'write' | 'push',
  into: 'writes' | 'reads',
  counts: (args: unknown[]) => boolean,
): void {
  const original = Socket.prototype[method] as (...args: unknown[]) => boolean;
  Socket.prototype[method] = function (this: Socket, ...args: unknown[]) {
    if (counts(args)) counted[into] += 1;
    return original.apply(this, args);
  } as never;
}
countCalls('write', 'writes', () => true);
// `push(null)` is the end of the stream, not a chunk read.
countCalls('push', 'reads', ([chunk]) => chunk !== null);
const none = (): Counted => ({ gc: 0, writes: 0, reads: 0 });
/** Per app, summed over the blocks measured: what `counted` counts, per request. */
const side: Record<Name, Counted> = { plain: none(), observed: none() };
const unit = COUNTING
  ? process.env.SIMULATE
    ? 'estimated cycles per request (thousands)'
    : 'instructions per request (thousands)'
  : 'CPU per request';
/** What a figure's mean is written with: µs for CPU, nothing for a count in thousands. */
const inUnit = COUNTING ? '' : ' µs';
/**
 * `amount` requests to one app, 8 in flight; the process's CPU µs per request, or under callgrind
 * thousands of instructions (or estimated cycles) per request.
 */
async function block(name: Name): Promise<number> {
  const app = apps[name];
  if (name === 'observed') observedBlocks++;
  const before = { ...counted };
  if (COUNTING) dumpCounts();
  const start = process.cpuUsage();
  let left = amount;
  const worker = async () => {
    while (left-- > 0) {
      const response = await app.fetch(
        new Request('http://bench/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body()),
        }),
      );
      const text = await response.text();
      if (text.includes('"errors"')) throw new Error(text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const used = process.cpuUsage(start);
  const events = COUNTING ? dumpCounts() : null;
  for (const key of Object.keys(counted) as (keyof Counted)[]) {
    side[name][key] += (counted[key] - before[key]) / amount;
  }
  const cost = events
    ? estimatedCycles(events) / 1000 / amount
    : (used.user + used.system) / amount;
  if (process.env.BLOCKS) {
    const gc = (counted.gc - before.gc) / amount;
    process.stderr.write(`${name} ${cost.toFixed(0)} (GC ${gc.toFixed(0)} µs)\n`);
  }
  return cost;
}

/** ABBA: each pair's order alternates, so that neither always runs second. */
const ONLY = process.env.ONLY as Name | undefined;
if (ONLY !== undefined && ONLY !== 'plain' && ONLY !== 'observed')
  throw new Error('ONLY is plain or observed');
const pairOrder = (i: number): readonly Name[] =>
  ONLY ? [ONLY] : i % 2 ? ['observed', 'plain'] : ['plain', 'observed'];
// Warm-up, not counted: WARMUP pairs. At low ratios the sampled requests' code runs rarely; a
// longer warm-up tells whether it was still being optimized (with 20 or 50 pairs, the first half
// of a run agreed with the whole: docs/performance.md).
const WARMUP = Number(process.env.WARMUP ?? 1);
for (let i = 0; i < WARMUP; i++) {
  for (const name of pairOrder(i)) await block(name);
}
side.plain = none();
side.observed = none();
/** The median and quartiles of `values`, as `<label> m (quartiles q1–q3)`. */
const quartiles = (values: number[], digits: number, label = 'median') => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(digits);
  return `${label} ${at(0.5)} (quartiles ${at(0.25)}–${at(0.75)})`;
};
/** One app's blocks alone: the process is the unit compared, with another run of this. */
async function alone(only: Name): Promise<string> {
  const costs: number[] = [];
  for (let i = 0; i < blocks; i++) costs.push(await block(only));
  const mean = costs.reduce((a, b) => a + b, 0) / blocks;
  const app =
    only === 'observed'
      ? `${metrics ? 'metrics and ' : ''}tracing on, ${RATIO * 100}% sampled`
      : 'no tracing or metrics';
  return (
    `${blocks} blocks of ${amount} ${SCENARIO} requests to the ${only} app alone (${app}), ` +
    `${unit}: mean ${mean.toFixed(0)}${inUnit}, ${quartiles(costs, 0)}; ` +
    `GC ${(side[only].gc / blocks).toFixed(0)} µs\n`
  );
}
/** Both apps, pair by pair: the observed app's figure over the plain one's. */
async function paired(): Promise<string> {
  const ratios: number[] = [];
  const totals = { plain: 0, observed: 0 };
  let half = 0;
  for (let i = 0; i < blocks; i++) {
    const cost: Record<string, number> = {};
    for (const name of pairOrder(i)) cost[name] = await block(name);
    totals.plain += cost.plain!;
    totals.observed += cost.observed!;
    if (i === Math.floor(blocks / 2) - 1) half = totals.observed / totals.plain;
    ratios.push(cost.observed! / cost.plain!);
  }
  const what = CONTROL
    ? 'control: off / off'
    : `${metrics ? 'metrics and ' : ''}tracing on (${RATIO ? `${RATIO * 100}%` : 'none'} sampled${SPREAD ? `, spread by ${SPREAD}` : ''}) / off`;
  return (
    `${blocks} pairs of ${amount} ${SCENARIO} requests; ${what}, ${unit}: ` +
    `${quartiles(ratios, 3, 'median ratio')}; ` +
    `ratio of means ${(totals.observed / totals.plain).toFixed(3)} (first half ${half.toFixed(3)}) ` +
    `(${(totals.observed / blocks).toFixed(0)} / ${(totals.plain / blocks).toFixed(0)}${inUnit}; ` +
    `GC ${(side.observed.gc / blocks).toFixed(0)} / ${(side.plain.gc / blocks).toFixed(0)} µs; ` +
    `socket writes ${(side.observed.writes / blocks).toFixed(2)} / ${(side.plain.writes / blocks).toFixed(2)}, ` +
    `reads ${(side.observed.reads / blocks).toFixed(2)} / ${(side.plain.reads / blocks).toFixed(2)})\n`
  );
}
process.stdout.write(ONLY ? await alone(ONLY) : await paired());
await Promise.all([stores.plain.close(), stores.observed.close()]);
await tracing.shutdown();
sink.stop();
process.exit(0);
