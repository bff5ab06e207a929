// Starts the real server (the bundle `npm start` runs, built by global-setup) in a child process
// on a free port, for tests where the transport matters.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { SERVER_BUNDLE } from '../../src/scripts/build.js';
import { withSuitePostgres } from './database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServer {
  url: string;
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * A folder of its own for a test file's server: the environment that keeps the development key
 * there and, unless DATABASE_URL is set, the PGlite data too.
 */
export function serverScratch(name: string): { env: Record<string, string>; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `customer-graph-${name}-`));
  return {
    env: {
      DEV_KEY_FILE: join(dir, 'dev-api-key.json'),
      ...(process.env.DATABASE_URL
        ? { DATABASE_URL: process.env.DATABASE_URL }
        : { PGLITE_DATA_DIR: join(dir, 'pglite') }),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The development API key the server printed when it started ('' if none). */
export const devKeyOf = (server: RunningServer): string =>
  /(ck_[A-Za-z0-9]{40})/.exec(server.stdout())?.[1] ?? '';

export function runMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--enable-source-maps', SERVER_BUNDLE], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startServer(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<RunningServer> {
  const child = runMain({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...withSuitePostgres(env),
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    err += chunk;
  });
  // Its log lines join the run's, which are checked for personal data afterwards.
  child.once('exit', () => appendFileSync(inject('logFile'), err));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${out}\n${err}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)\/graphql"[^\n]*"message":"listening"/.exec(err);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    url,
    process: child,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exitOf(child);
    },
  };
}
