// A throwaway PgBouncer in transaction mode in front of a PostgreSQL server, on a free port of its
// own, for the tests of running behind a pooler (DATABASE_PREPARE=false). Debian's pgbouncer
// (`apt-get install pgbouncer`; .ci/run installs it); it refuses to run as root, so it runs as
// the postgres user then. Its admin console (database `pgbouncer`) lists its server connections.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cluster.js';

const BINARY = '/usr/sbin/pgbouncer';
export const hasPgbouncer = existsSync(BINARY);

export interface Pgbouncer {
  port: number;
  /** `database` on the target server, through the pooler. */
  url(database: string): string;
  /** The local ports of its connections to the server (SHOW SERVERS). */
  serverPorts(): number[];
  stop(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startPgbouncer(target: { host: string; port: number }): Promise<Pgbouncer> {
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'cg-pgbouncer-'));
  chmodSync(dir, 0o755);
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(dir, uid, uid);
  }
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.host} port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      // The server's connections are few and shared: a client cannot hold one between transactions.
      'server_reset_query =',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const command = root
    ? ['runuser', ['-u', 'postgres', '--', BINARY, join(dir, 'pgbouncer.ini')]]
    : [BINARY, [join(dir, 'pgbouncer.ini')]];
  // A process group of its own: runuser and pgbouncer are stopped together.
  const child: ChildProcess = spawn(command[0] as string, command[1] as string[], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  for (let i = 0; i < 100 && !(await listening(port)); i += 1) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!(await listening(port))) {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pgbouncer did not start:\n${log}`);
  }
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    serverPorts: () =>
      execFileSync('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-XAtF',
        ',',
        '-c',
        'SHOW SERVERS',
        'pgbouncer',
      ])
        .toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        // type,user,database,state,addr,port,local_addr,local_port,…
        .map((line) => Number(line.split(',')[7])),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
      // And pgbouncer itself, should it have outlived its group.
      try {
        process.kill(Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8')), 'SIGTERM');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
