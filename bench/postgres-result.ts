// What the postgres.js patch's Result fix saves (patches/postgres+3.4.9.patch, result.js: the
// class's species a data property, not a static getter that kept V8 from ever optimizing it),
// measured on postgres.js alone: one prepared `select id, email from customers where id = $1`,
// 8 queries in flight on a pool of 4, a warm-up, then the measured queries. Each round runs one
// child process with postgres.js as it ships and one with the patched file, in turn (who goes
// first alternates); CPU per query from the child's process.cpuUsage, which counts V8's
// background compiling too. Both children load a copy of postgres.js from one temporary folder,
// so that only result.js differs. Needs the bench database (`npm run seed`). With TRACE_OPT=1
// the children run with --trace-opt and the table counts V8's aborted optimizing tries instead
// (the cause the patch removes; the CPU figures then include the tracing).
//
//   npx tsx bench/postgres-result.ts [rounds=3] [queries=40000] [warmup=5000]
//   TRACE_OPT=1 npx tsx bench/postgres-result.ts 1 10000 1000
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectPath } from '../src/lib/paths.js';

const [rounds = 3, queries = 40_000, warmup = 5_000] = process.argv.slice(2, 5).map(Number);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench';
const traceOpt = process.env.TRACE_OPT === '1';

/** The package's ESM build, as its path stands in patches/postgres+3.4.9.patch. */
const SRC = 'node_modules/postgres/src';

/** The child: prints the CPU microseconds per measured query. */
const CHILD = `
const { default: postgres } = await import(process.env.POSTGRES_ENTRY)
const sql = postgres(process.env.DATABASE_URL, { max: 4, onnotice: () => {} })
const ids = (await sql\`select id from customers where company_id = 'com_00' limit 1000\`).map((r) => r.id)
let next = 0
const run = async (n) => {
  let left = n
  const worker = async () => {
    while (left-- > 0) await sql\`select id, email from customers where id = \${ids[next++ % ids.length]}\`
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}
await run(Number(process.env.WARMUP))
const before = process.cpuUsage()
await run(Number(process.env.QUERIES))
const used = process.cpuUsage(before)
await sql.end()
console.log((used.user + used.system) / Number(process.env.QUERIES))
`;

const folder = mkdtempSync(join(tmpdir(), 'postgres-result-'));
try {
  // Each variant a folder with the package's layout, so that the patch applies to it by path.
  const variants = { stock: join(folder, 'stock'), patched: join(folder, 'patched') };
  for (const root of Object.values(variants)) {
    cpSync(projectPath(SRC), join(root, SRC), { recursive: true });
    // The copies are ES modules outside the package that said so.
    writeFileSync(join(root, SRC, 'package.json'), '{"type":"module"}\n');
  }
  const patched = readFileSync(join(variants.patched, SRC, 'result.js'), 'utf8');
  if (!patched.includes('Object.defineProperty(Result, Symbol.species'))
    throw new Error('node_modules/postgres is not patched: run npm install');
  // As shipped: the project's patch to result.js taken back out, as test/unit/postgres-queue.test.ts
  // does for the queue.
  execFileSync(
    'git',
    ['apply', '-R', `--include=${SRC}/result.js`, projectPath('patches', 'postgres+3.4.9.patch')],
    { cwd: variants.stock },
  );
  /** CPU µs per measured query, or with TRACE_OPT the aborted optimizing tries of the run. */
  const measure = (root: string) => {
    const flags = traceOpt ? ['--trace-opt'] : [];
    const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', CHILD], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        DATABASE_URL,
        POSTGRES_ENTRY: pathToFileURL(join(root, SRC, 'index.js')).href,
        QUERIES: String(queries),
        WARMUP: String(warmup),
      },
    });
    const lines = out.trim().split('\n');
    if (traceOpt) return lines.filter((line) => line.includes('aborted optimizing')).length;
    return Number(lines.at(-1));
  };
  console.log(
    `postgres.js alone, ${warmup} queries of warm-up then ${queries} measured, 8 in flight, max 4; ${traceOpt ? 'aborted optimizing tries' : 'CPU per query'}:`,
  );
  const show = (value: number) => (traceOpt ? String(value) : `${value.toFixed(1)} µs`);
  console.log('| round | as shipped | patched | patched / shipped |');
  console.log('| --- | --- | --- | --- |');
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? (['stock', 'patched'] as const) : (['patched', 'stock'] as const);
    const figure = { stock: 0, patched: 0 };
    for (const name of order) figure[name] = measure(variants[name]);
    console.log(
      `| ${round} | ${show(figure.stock)} | ${show(figure.patched)} | ${(figure.patched / figure.stock).toFixed(3)} |`,
    );
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
