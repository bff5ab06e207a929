// postgres.js 3.4.9 ends the process when a backend dies under load: a write that comes after the
// socket closed throws outside any promise (porsager/postgres #1066, #1154, #1208), and a backend
// that dies while a new connection fetches its array types leaves an unhandled rejection; and a
// transaction's statement issued between a socket's 'error' and 'close' events waited for ever
// (about one run in eight hung a transaction, found by this test in CI).
// patches/postgres+3.4.9.patch settles all three. Here transactions run while another session
// terminates their backends (test/fixtures/postgres-terminate.mjs, in a child process so that a
// crash ends it and not the runner), on the installed driver and on the stock one (the project's
// patch reversed with `git apply -R`), so that the harness is shown to catch the defect.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from './helpers/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(root, 'test/fixtures/postgres-terminate.mjs');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runFixture(driver: string, ms: number): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      // The server itself: the fixture terminates its own backends, which a pooler would hide.
      [
        fixture,
        driver,
        process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL ?? '',
        String(ms),
      ],
      { timeout: ms + 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!isPostgres)('postgres.js when backends are terminated under load', () => {
  let stock: string;
  beforeAll(() => {
    stock = mkdtempSync(join(tmpdir(), 'postgres-stock-'));
    cpSync(join(root, 'node_modules/postgres'), join(stock, 'node_modules/postgres'), {
      recursive: true,
    });
    execFileSync('git', ['apply', '-R', join(root, 'patches/postgres+3.4.9.patch')], {
      cwd: stock,
    });
  });
  afterAll(() => rmSync(stock, { recursive: true, force: true }));

  it('catches the defect in the stock driver (the patch reversed): the process dies', async () => {
    const outcome = await runFixture(join(stock, 'node_modules/postgres/src/index.js'), 3000);
    expect(outcome.code).not.toBe(0);
    // Either defect ends it: the write after close throws, or the array-types fetch of a new
    // connection rejects unhandled, with the termination's message or, when the socket is reset
    // before that message is read, ECONNRESET (the fixture itself settles every promise it makes).
    expect(outcome.stderr).toMatch(
      /Cannot read properties of null \(reading 'write'\)|terminating connection due to administrator command|fromPromise \*\/\);\s+\^\s+Error: read ECONNRESET/,
    );
  });

  it.each([1, 2, 3, 4])(
    'settles every transaction with the patch, and the pool serves again (run %i)',
    async () => {
      const outcome = await runFixture(join(root, 'node_modules/postgres/src/index.js'), 3000);
      expect(outcome.stderr).toBe('');
      expect(outcome.code).toBe(0);
      const report = JSON.parse(outcome.stdout) as {
        hung: number;
        committed: number;
        rejected: number;
        codes: Record<string, number>;
        terminations: number;
        after: number;
      };
      expect(report.hung).toBe(0);
      expect(report.terminations).toBeGreaterThan(10);
      expect(report.committed).toBeGreaterThan(0);
      // The faults reached transactions, and each failed with a connection error a caller can
      // answer (the gateway maps them to UNAVAILABLE).
      expect(report.rejected).toBeGreaterThan(0);
      for (const code of Object.keys(report.codes)) {
        expect(['CONNECTION_CLOSED', 'ECONNRESET', '57P01']).toContain(code);
      }
      expect(report.after).toBe(42);
    },
  );
});
