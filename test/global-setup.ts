// Runs once before the test files. On PGlite it migrates one in-memory database and saves its
// data folder, so that each test file starts from a copy (under a second) instead of a fresh
// initdb plus migrations (several seconds). On PostgreSQL it migrates the target database once.
// And it builds the bundle `npm start` runs (dist/main.js), which the server tests start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { bundle, SERVER_BUNDLE } from '../src/scripts/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  await bundle('src/main.ts', SERVER_BUNDLE);
  const url = process.env.DATABASE_URL;
  if (url) {
    const store = await openStore({ kind: 'postgres', url, poolSize: 2 });
    await migrate(store);
    await store.close();
    project.provide('pgliteTemplate', null);
    return;
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
  return () => rmSync(dir, { recursive: true, force: true });
}
