// postgres.js 3.4.9 makes each query a Promise subclass (src/query.js). A query that had resolved
// stayed reachable for V8's young-generation collector, with its result: under concurrent queries
// most of every result was promoted to the old generation, which made scavenges take several
// milliseconds and full collections frequent. patches/postgres+3.4.9.patch makes a query a
// thenable holding a plain promise; these tests check that it still behaves as a promise does
// and that concurrent results die young. They need a PostgreSQL (DATABASE_URL). Behind a pooler in
// transaction mode (DATABASE_PREPARE=false) they prepare nothing, as the server does: a statement
// prepared on one server connection is missing on the next one the pooler hands out.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresTestConfig } from '../helpers/database.js';
import { promotedPer } from '../helpers/heap.js';

const url = process.env.DATABASE_URL;

describe.runIf(url)('a postgres.js query', () => {
  const prepare = url ? (postgresTestConfig(4).prepare ?? true) : true;
  const sql = postgres(url ?? '', { max: 4, prepare, onnotice: () => {} });
  afterAll(() => sql.end({ timeout: 5 }));

  it('is a thenable, not a Promise subclass (the patch is applied)', async () => {
    const query = sql`select 1 as one`;
    expect(query).not.toBeInstanceOf(Promise);
    expect(typeof query.then).toBe('function');
    expect([...(await query)]).toEqual([{ one: 1 }]);
  });

  it('behaves as a promise: await, Promise.all, catch, finally, transactions', async () => {
    const [a, b] = await Promise.all([sql`select 1 as n`, sql.unsafe('select 2 as n')]);
    expect([a[0], b[0]]).toEqual([{ n: 1 }, { n: 2 }]);

    let finallyCalled = false;
    const caught = await sql`select 1/0`
      .catch((error: unknown) => error)
      .finally(() => {
        finallyCalled = true;
      });
    expect(caught).toBeInstanceOf(postgres.PostgresError);
    expect(finallyCalled).toBe(true);
    await expect(sql.unsafe('select * from no_such_table_here')).rejects.toThrow(/no_such_table/);

    const inTransaction = await sql.begin((tx) => [tx`select 1 as n`, tx`select 2 as n`]);
    expect(inTransaction.map((rows) => rows[0]?.n)).toEqual([1, 2]);
  });

  it('leaves concurrent results to die young', async () => {
    // One row of 25 columns, four at a time on the pool of four, as a request's loaders ask.
    const columns = Array.from({ length: 24 }, (_, i) => `$1 || '-${i}' as c${i}`).join(', ');
    const text = `select ${columns}, now() as t`;
    const one = (i: number) => sql.unsafe(text, [`p${i % 8}`.padEnd(24, 'v')], { prepare });
    const round = (i: number) => Promise.all([one(i), one(i + 1), one(i + 2), one(i + 3)]);

    for (let i = 0; i < 200; i += 1) await round(i);
    const perRound: number[] = [];
    for (let k = 0; k < 3; k += 1) perRound.push(await promotedPer(200, round));
    // Measured on this machine: the stock Query promotes 16-17 KB a round in every round; the
    // patched one 2.5-7 KB in its best round (postgres.js still promotes some of each result).
    expect(Math.min(...perRound)).toBeLessThan(12_000);
  });
});

// postgres.js 3.4.9 declared `static get [Symbol.species]()` on its Result class (an Array
// subclass); V8 (Node 20) then never optimized the constructor: every try, a few milliseconds of
// compiling on a background thread, ended "bailed out due to dependency change" and began again,
// for as long as the process ran (bench/tracing-in-process.ts, 200 pairs: 434 tries, 2.3 s of
// compiling, about 48 µs a request). The patch gives the class the same species as a data
// property. Needs no database.
describe('a postgres.js result', () => {
  // The module the server loads (the package's ESM build), beside the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve('postgres');
  const resultModule = pathToFileURL(join(dirname(entry), '..', '..', 'src', 'result.js')).href;

  it('maps, filters and slices into plain arrays, as before', async () => {
    const { default: Result } = (await import(resultModule)) as { default: new () => unknown[] };
    const result = new Result();
    result.push(1, 2, 3);
    for (const made of [result.map((x) => x), result.filter(() => true), result.slice(1)]) {
      expect(made.constructor).toBe(Array);
    }
    expect(Object.keys(result)).toEqual(['0', '1', '2']);
  });

  it('has a constructor that V8 optimizes, not one it tries to for ever', () => {
    // Results made as connection.js makes them, in a process that prints what V8 optimizes.
    const source = `import Result from ${JSON.stringify(resultModule)};
      let kept = [];
      for (let i = 0; i < 5e5; i++) {
        const result = new Result();
        result.push({ id: i });
        result.count = 1;
        result.command = 'SELECT';
        if (i % 1000 === 0) kept = [];
        kept.push(result);
      }`;
    const trace = execFileSync(
      process.execPath,
      ['--trace-opt', '--input-type=module', '-e', source],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const lines = trace.split('\n').filter((line) => line.includes('<JSFunction Result '));
    expect(lines.filter((line) => line.includes('aborted optimizing'))).toEqual([]);
    expect(lines.some((line) => line.includes('completed optimizing'))).toBe(true);
  });
});
