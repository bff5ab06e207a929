// The server's CPU per request of each observability variant, by a fixed number of requests
// rather than a fixed time, the variants in a new random order each round (so that none always
// follows the one whose exporter is still busy), all pinned to CPU 1. `npm run bench`'s
// --observability-off table measures req/s over fixed durations; this is the finer measure of
// what each part costs (docs/performance.md). Needs the bench database (`npm run seed`) and a
// build (`npm run build`).
//
//   npx tsx bench/observability-cpu.ts [rounds=5] [requests=8000] [variants=metrics,none,ratio,every]
//
// Variants: off (no metrics, no logs), logs, quiet (metrics, no request logs), metrics (metrics and
// logs), none (tracing on, none sampled), ratio (production's 1 in 100 traced), every (every
// request traced); `name-a,name-b` runs twins. SCENARIO=list sends the list document instead of
// byid; SOURCE_MAPS=1 adds --enable-source-maps, as `npm start` and the bench run (it made no
// difference, 2026-12-03).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { BY_ID, LIST } from './documents.js';
import { START_FLAGS } from './node-flags.js';
import { shuffled } from './order.js';
import { benchToken } from './token.js';
import { PRODUCTION_SAMPLING, traceSink } from './trace-sink.js';

const [rounds = 5, amount = 8000] = process.argv.slice(2, 4).map(Number);
const SECRET = 'x'.repeat(40);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench';
const sql = postgres(DATABASE_URL);
const ids = (
  await sql<{ id: string }[]>`select id from customers where company_id = 'com_00' limit 500`
).map((r) => r.id);
await sql.end();
const ep = await traceSink();
const token = await benchToken(SECRET, 'com_00');
const all: Record<string, Record<string, string>> = {
  off: { METRICS_PORT: '', LOG_LEVEL: 'warn' },
  logs: { METRICS_PORT: '' },
  quiet: { LOG_LEVEL: 'warn' },
  metrics: {},
  none: { OTEL_EXPORTER_OTLP_ENDPOINT: ep, OTEL_TRACES_SAMPLER: 'always_off' },
  ratio: { OTEL_EXPORTER_OTLP_ENDPOINT: ep, ...PRODUCTION_SAMPLING },
  every: { OTEL_EXPORTER_OTLP_ENDPOINT: ep },
};
const names = (process.argv[4] ?? 'metrics,none,ratio,every').split(',');
const scenario = process.env.SCENARIO ?? 'byid';
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}; // ms
const servers: { name: string; child: ChildProcess; url: string; cpu: number[]; rps: number[] }[] =
  [];
let port = 9480;
for (const label of names) {
  const name = label.split('-')[0];
  const p = port++;
  const child = spawn(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      ...START_FLAGS.filter((flag) => flag !== '--enable-source-maps' || process.env.SOURCE_MAPS),
      ...(process.env.PROFILE
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${process.env.PROFILE}`,
            `--cpu-prof-name=${label}.cpuprofile`,
          ]
        : []),
      'dist/main.js',
    ],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        AUTH_JWT_SECRET: SECRET,
        LOG_LEVEL: 'info',
        RATE_LIMIT_POINTS: '1000000000',
        RATE_LIMIT_RESTORE: '1000000000',
        METRICS: 'true',
        METRICS_PORT: String(p + 100),
        ...all[name ?? ''],
        PORT: String(p),
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${p}/healthz`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  servers.push({ name: label, child, url: `http://127.0.0.1:${p}/graphql`, cpu: [], rps: [] });
}
const body = () =>
  scenario === 'list'
    ? JSON.stringify({ query: LIST, variables: { companyId: 'com_00', first: 50 } })
    : JSON.stringify({
        query: BY_ID,
        variables: { id: ids[Math.floor(Math.random() * ids.length)] },
      });
const drive = (s: (typeof servers)[number], n: number) =>
  autocannon({
    url: s.url,
    connections: 16,
    amount: n,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (q) => ({ ...q, body: body() }) }],
  });
for (const s of servers) await drive(s, amount / 2); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of shuffled(servers, Math.random)) {
    const before = cpu(s.child.pid!);
    const res = await drive(s, amount);
    if (res.non2xx || res.errors) console.log('errors', s.name, res.non2xx, res.errors);
    s.cpu.push(((cpu(s.child.pid!) - before) * 1000) / amount);
    s.rps.push(res.requests.average);
  }
}
const med = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(a.length / 2);
  return a.length % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
};
const first = servers[0]!;
const base = med(first.cpu);
for (const s of servers)
  console.log(
    s.name.padEnd(8),
    'CPU µs/req',
    med(s.cpu).toFixed(0).padStart(5),
    'min',
    Math.min(...s.cpu).toFixed(0),
    (Math.min(...s.cpu) / Math.min(...first.cpu)).toFixed(3),
    `(${s.cpu.map((x) => x.toFixed(0)).join(' ')})`,
    '×',
    (med(s.cpu) / base).toFixed(3),
    ' req/s',
    med(s.rps).toFixed(0),
    `(${s.rps.map((x) => x.toFixed(0)).join(' ')})`,
  );
await Promise.all(
  servers.map(
    (s) =>
      new Promise((r) => {
        s.child.once('exit', r);
        s.child.kill('SIGTERM');
      }),
  ),
);
