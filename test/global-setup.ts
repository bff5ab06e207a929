// Runs once before the test files. On PGlite it migrates one in-memory database and saves its
// data folder, so that each test file starts from a copy (under a second) instead of a fresh
// initdb plus migrations (several seconds). On PostgreSQL it migrates the target database once.
// And it builds the bundle `npm start` runs (dist/main.js), which the server tests start.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { bundle, SERVER_BUNDLE } from '../src/scripts/build.js';
import { postgresTestConfig } from './helpers/database.js';
import { loadParser, MULTI_COMPANY, unpinnedTables } from './helpers/sharding.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
    /** Every log line the test files' apps and servers wrote, checked after the run. */
    logFile: string;
    /** Every distinct SQL statement the test files' stores ran, checked after the run. */
    statementFile: string;
  }
}

/** The seed examples' personal values (names, phone, e-mail, street, note text). */
function personalValues(): string[] {
  const keys = new Set(['firstName', 'lastName', 'phone', 'email', 'street', 'note']);
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (keys.has(key) && typeof item === 'string' && item.length >= 3) found.add(item);
        else walk(item);
      }
    }
  };
  for (const n of [1, 2, 3]) {
    walk(
      JSON.parse(readFileSync(new URL(`fixtures/seed-example-${n}.json`, import.meta.url), 'utf8')),
    );
  }
  return [...found];
}

/** After the run: no log line carries a personal value of the seed's examples. */
function checkLogs(file: string) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const leaks = personalValues().filter((value) =>
    new RegExp(`(^|[^A-Za-z0-9])${literal(value)}([^A-Za-z0-9]|$)`).test(text),
  );
  if (leaks.length > 0) {
    throw new Error(`the logs of this test run carry personal values: ${leaks.join(', ')}`);
  }
  // Lines were written (a run that started apps) but none of a request: they were not collected.
  if (text.length > 0 && !text.includes('"message":"request"')) {
    throw new Error('the log check read no request lines: the test logs were not collected');
  }
}

/**
 * After the run: every statement that touches a tenant table pins it to one company (a router
 * query once the tables are distributed by company_id), but those MULTI_COMPANY lists.
 */
async function checkStatements(file: string) {
  if (!existsSync(file)) return;
  const statements = [
    ...new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string),
    ),
  ];
  await loadParser();
  const problems: string[] = [];
  const multi = new Set<string>();
  for (const statement of statements) {
    const unpinned = unpinnedTables(statement);
    if (unpinned.length === 0) continue;
    const known = MULTI_COMPANY.find(({ pattern }) => pattern.test(statement));
    if (known) {
      multi.add(known.why);
      continue;
    }
    problems.push(
      `${unpinned.join(', ')} not pinned to one company in: ${statement.replace(/\s+/g, ' ').slice(0, 300)}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} of ${statements.length} statements touch a tenant table without company_id = …:\n${problems.join('\n')}`,
    );
  }
  process.stdout.write(
    `\nSharding check: ${statements.length} distinct statements; every tenant table pinned to one company but in the known multi-company work (test/helpers/sharding.ts):\n${[...multi].map((why) => `  - ${why}`).join('\n')}\n`,
  );
}

export default async function setup(project: TestProject) {
  await bundle('src/main.ts', SERVER_BUNDLE);
  const logDir = mkdtempSync(join(tmpdir(), 'customer-graph-logs-'));
  const logFile = join(logDir, 'test-run.log');
  const statementFile = join(logDir, 'statements.jsonl');
  project.provide('logFile', logFile);
  project.provide('statementFile', statementFile);
  const teardown = async () => {
    try {
      checkLogs(logFile);
      await checkStatements(statementFile);
    } catch (error) {
      // Vitest reports an error thrown here but still exits 0: fail the run by hand.
      process.stderr.write(`\n${(error as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  };
  const url = process.env.DATABASE_URL;
  if (url) {
    const store = await openStore(postgresTestConfig(2));
    await migrate(store);
    await store.close();
    project.provide('pgliteTemplate', null);
    return teardown;
  }
  const store = await openStore({ kind: 'pglite', dataDir: null });
  await migrate(store);
  if (store.driver.kind !== 'pglite') throw new Error('expected PGlite');
  const dump = await store.driver.client.dumpDataDir('none');
  await store.close();
  const dir = mkdtempSync(join(tmpdir(), 'customer-graph-test-'));
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => {
    rmSync(dir, { recursive: true, force: true });
    teardown();
  };
}
