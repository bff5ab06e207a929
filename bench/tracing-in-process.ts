// What tracing costs a request it does not sample, measured inside one process: two apps over one
// store, one without a tracer and one with tracing on and no request sampled (or a share: RATIO),
// each sent the same blocks of byid requests in turn (ABBA), CPU per request from
// process.cpuUsage. Separate server processes differ by 10–25% here whatever they run
// (docs/performance.md); two apps in one process share the JIT, the heap and the CPU's moment,
// so what is left between them is the tracing code. No HTTP: app.fetch. Needs the bench database
// (`npm run seed`).
//
//   npx tsx bench/tracing-in-process.ts [blocks=40] [requests=500]
//   RATIO=0.05 npx tsx bench/tracing-in-process.ts  the traced app samples 1 in 20 (RATIO=1: all)
//   CONTROL=1 npx tsx bench/tracing-in-process.ts   two apps without a tracer: the method's bias
import { createAuthenticator } from '../src/auth/authenticator.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/db/client.js';
import { type App, createApp } from '../src/http/app.js';
import { createLogger } from '../src/lib/logger.js';
import { startTracing } from '../src/lib/tracing.js';
import { apiKeyRepository } from '../src/repositories/api-key.js';
import { BY_ID } from './documents.js';
import { BENCH_AUDIENCE, benchToken } from './token.js';
import { traceSinkProcess } from './trace-sink.js';

const [blocks = 40, amount = 500] = process.argv.slice(2, 4).map(Number);
const RATIO = Number(process.env.RATIO ?? 0);
if (!(RATIO >= 0 && RATIO <= 1)) throw new Error('RATIO is a share of requests, 0 to 1');
const SECRET = 'x'.repeat(40);
const config = loadConfig({
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench',
});
const store = await openStore(config.database);
const sql = (store.driver as { client: import('postgres').Sql }).client;
const ids = (
  await sql<{ id: string }[]>`select id from customers where company_id = 'com_00' limit 500`
).map((r) => r.id);
const token = await benchToken(SECRET, 'com_00');
// Request logs as production writes them, to a sink.
const logger = createLogger('info', () => {});
// Spans exported as production exports them (batched, OTLP/HTTP), to a collector in a process of
// its own, whose CPU is not counted.
const sink = await traceSinkProcess();
const tracing = startTracing({
  serviceName: 'bench',
  endpoint: sink.url,
  sampler: RATIO
    ? { name: 'parentbased_traceidratio', ratio: RATIO }
    : { name: 'always_off', ratio: 1 },
});
const appWith = (traced: boolean) =>
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
    tracing: traced ? tracing : undefined,
  });
const apps: Record<'plain' | 'traced', App> = {
  plain: await appWith(false),
  // CONTROL=1: a second app without a tracer, to see what the method gives two equal apps.
  traced: await appWith(!process.env.CONTROL),
};

let next = 0;
/** `amount` byid requests, 8 in flight; the process's CPU µs per request. */
async function block(app: App): Promise<number> {
  const start = process.cpuUsage();
  let left = amount;
  const worker = async () => {
    while (left-- > 0) {
      const id = ids[next++ % ids.length]!;
      const response = await app.fetch(
        new Request('http://bench/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: BY_ID, variables: { id } }),
        }),
      );
      const text = await response.text();
      if (text.includes('"errors"')) throw new Error(text);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / amount;
}

await block(apps.plain);
await block(apps.traced);
const ratios: number[] = [];
const totals = { plain: 0, traced: 0 };
for (let i = 0; i < blocks; i++) {
  // ABBA: each pair's order alternates, so that neither always runs second.
  const order: ('plain' | 'traced')[] = i % 2 ? ['traced', 'plain'] : ['plain', 'traced'];
  const cost: Record<string, number> = {};
  for (const name of order) cost[name] = await block(apps[name]);
  totals.plain += cost.plain!;
  totals.traced += cost.traced!;
  ratios.push(cost.traced! / cost.plain!);
}
ratios.sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)]!;
process.stdout.write(
  `${blocks} pairs of ${amount} byid requests; ${process.env.CONTROL ? 'control: off / off' : `tracing on (${RATIO ? `${RATIO * 100}%` : 'none'} sampled) / off`}, CPU per request: ` +
    `median ratio ${median.toFixed(3)} (quartiles ${ratios[Math.floor(blocks / 4)]!.toFixed(3)}–${ratios[Math.floor((3 * blocks) / 4)]!.toFixed(3)}); ` +
    `means ${(totals.traced / blocks).toFixed(0)} / ${(totals.plain / blocks).toFixed(0)} µs\n`,
);
await store.close();
await tracing.shutdown();
sink.stop();
process.exit(0);
