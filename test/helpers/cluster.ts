// A throwaway PostgreSQL cluster for tests that stop, restart or break their database: initdb in
// a temporary folder (as the postgres user when run as root: initdb refuses root), on a free
// port of its own, removed afterwards. Needs PostgreSQL's server binaries (Debian:
// /usr/lib/postgresql/<version>/bin).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN_ROOT = '/usr/lib/postgresql';

function binaries(): string | null {
  if (!existsSync(BIN_ROOT)) return null;
  const versions = readdirSync(BIN_ROOT).sort((a, b) => Number(b) - Number(a));
  const found = versions
    .map((v) => join(BIN_ROOT, v, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  return found ?? null;
}

export const canMakeClusters = binaries() !== null;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  url: string;
  port: number;
  start(): void;
  stop(): void;
  /** Stops it without blocking this process (load keeps running meanwhile). */
  stopped(): Promise<void>;
  /** pg_ctl restart -m fast. */
  restart(): void;
  remove(): void;
}

/** A temporary folder the postgres user owns, and how to run a server binary as that user. */
function scratch() {
  const bin = binaries();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'cg-cluster-'));
  chmodSync(dir, 0o755);
  const postgresUid = root ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : -1;
  if (root) chownSync(dir, postgresUid, postgresUid);
  const run = (command: string, args: string[]) =>
    execFileSync(
      root ? 'runuser' : join(bin, command),
      root ? ['-u', 'postgres', '--', join(bin, command), ...args] : args,
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  const runAsync = (command: string, args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile(
        root ? 'runuser' : join(bin, command),
        root ? ['-u', 'postgres', '--', join(bin, command), ...args] : args,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  return { dir, data: join(dir, 'data'), run, runAsync };
}

/** Serves the cluster in `data` on a free port of its own, started. */
async function serving({ dir, data, run, runAsync }: ReturnType<typeof scratch>): Promise<Cluster> {
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const log = join(dir, 'log');
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    stopped: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    restart: () =>
      run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-m', 'fast', '-w', 'restart']),
    remove: () => {
      try {
        cluster.stop();
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

export async function makeCluster(): Promise<Cluster> {
  const folder = scratch();
  folder.run('initdb', [
    '-D',
    folder.data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  return serving(folder);
}

/**
 * A streaming replica of `primary` (`pg_basebackup -R -X stream`: a hot standby that follows it),
 * on a port of its own.
 */
export async function makeReplica(primary: Cluster): Promise<Cluster> {
  const folder = scratch();
  folder.run('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['-D', folder.data, '-R', '-X', 'stream', '--no-sync'],
  ]);
  return serving(folder);
}
