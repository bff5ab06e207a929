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

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
    /** Every log line the test files' apps and servers wrote, checked after the run. */
    logFile: string;
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

export default async function setup(project: TestProject) {
  await bundle('src/main.ts', SERVER_BUNDLE);
  const logDir = mkdtempSync(join(tmpdir(), 'customer-graph-logs-'));
  const logFile = join(logDir, 'test-run.log');
  project.provide('logFile', logFile);
  const teardown = () => {
    try {
      checkLogs(logFile);
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
    const store = await openStore({ kind: 'postgres', url, poolSize: 2 });
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
