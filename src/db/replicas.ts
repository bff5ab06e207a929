// Streaming replicas that serve queries (DATABASE_REPLICA_URL). A replica serves a read only while
// it answers and is within REPLICA_MAX_LAG_MS of the primary; otherwise the primary does, and the
// client never sees the difference:
//
// - Lag is measured against the primary's WAL position, not the replica's last replay time
//   (which grows on an idle primary, and stays small on a replica cut off from it): every
//   PROBE_MS the primary's `pg_current_wal_lsn()` is sampled, then each replica's
//   `pg_last_wal_replay_lsn()`. A replica that has replayed the latest sample is 0 ms behind;
//   otherwise it is as far behind as the oldest sample it has not replayed.
// - A statement (or read transaction) that fails on a replica because it cannot be reached, is
//   shutting down, cancelled the read for a conflict with recovery, or refused a write, is run
//   again on the primary, and the replica serves nothing more until a probe finds it well.
import type postgres from 'postgres';
import { isReplicaFault } from './faults.js';

/** Between two samples of every replica's position. */
const PROBE_MS = 250;
/** A probe that takes longer than this counts as failed. */
const PROBE_TIMEOUT_MS = 1000;
/** Primary positions kept: enough to tell any lag up to a minute. */
const SAMPLES = Math.ceil(60_000 / PROBE_MS);

/** What a replica's client becomes: any Drizzle handle on it (the store's, a traced span's). */
export interface ReplicaOptions<Handle> {
  primary: postgres.Sql;
  replicas: readonly { url: string; client: postgres.Sql }[];
  maxLagMs: number;
  /** The handle reading through `client`, which falls back to the primary by itself. */
  handle: (client: postgres.Sql) => Handle;
  /** Told when a replica starts or stops serving reads (logged). */
  onChange?: (change: { replica: string; serving: boolean; reason: string }) => void;
}

export interface ReplicaState {
  /** The replica's host and port (never its credentials). */
  replica: string;
  serving: boolean;
  /** How far behind the primary it was at the last probe; null when unknown. */
  lagMs: number | null;
}

export interface Replicas<Handle> {
  /** A replica fit to serve a read now (in turn), or null: read from the primary. */
  pick(): Handle | null;
  states(): ReplicaState[];
  /** Reads that failed on a replica and were answered by the primary. */
  readonly fallbacks: number;
  stop(): Promise<void>;
}

/** A WAL position (`16/B374D848`) as a number that compares. */
export const walPosition = (lsn: string): bigint => {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
};

interface Sample {
  at: number;
  position: bigint;
}

/**
 * How far behind a replica that has replayed up to `replayed` is, given the primary's positions
 * in time order: 0 when it has replayed the latest, else the age of the oldest sample it lacks
 * (a bound: what it lacks was written no earlier than the sample before that one).
 */
export function lagOf(samples: readonly Sample[], replayed: bigint, now: number): number | null {
  const latest = samples.at(-1);
  if (!latest) return null;
  if (replayed >= latest.position) return 0;
  for (let i = samples.length - 1; i > 0; i -= 1) {
    if (samples[i - 1]!.position <= replayed) return now - samples[i]!.at;
  }
  return now - samples[0]!.at;
}

const within = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(late));
  });

const nameOf = (url: string) => {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '5432'}`;
};

export function watchReplicas<Handle>(options: ReplicaOptions<Handle>): Replicas<Handle> {
  const samples: Sample[] = [];
  let fallbacks = 0;
  let turn = 0;
  let stopped = false;

  const replicas = options.replicas.map(({ url, client }) => {
    const replica = {
      name: nameOf(url),
      client,
      up: false,
      lagMs: null as number | null,
      serving: false,
      handle: undefined as unknown as Handle,
    };
    replica.handle = options.handle(
      failingOver(client, options.primary, () => {
        fallbacks += 1;
        replica.up = false;
        update(replica, 'a read failed on it');
      }),
    );
    return replica;
  });
  type Replica = (typeof replicas)[number];

  const fitToServe = (replica: Replica) =>
    replica.up && replica.lagMs !== null && replica.lagMs <= options.maxLagMs;

  function update(replica: Replica, reason: string) {
    const serving = fitToServe(replica);
    if (serving === replica.serving) return;
    replica.serving = serving;
    options.onChange?.({ replica: replica.name, serving, reason });
  }

  async function probe(replica: Replica) {
    try {
      const [row] = await within(
        replica.client<{ standby: boolean; replayed: string | null }[]>`
          select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed`,
        PROBE_TIMEOUT_MS,
      );
      replica.up = true;
      // A promoted replica (no longer in recovery) no longer follows this primary.
      replica.lagMs =
        row?.standby && row.replayed ? lagOf(samples, walPosition(row.replayed), Date.now()) : null;
      update(
        replica,
        row?.standby ? `${replica.lagMs ?? '?'} ms behind the primary` : 'it is not a standby',
      );
    } catch {
      replica.up = false;
      replica.lagMs = null;
      update(replica, 'it does not answer');
    }
  }

  async function round() {
    try {
      const [row] = await within(
        options.primary<{ position: string }[]>`select pg_current_wal_lsn()::text as position`,
        PROBE_TIMEOUT_MS,
      );
      if (row) samples.push({ at: Date.now(), position: walPosition(row.position) });
      if (samples.length > SAMPLES) samples.shift();
    } catch {
      // The primary is down or slow: the replicas are judged by the positions known so far.
    }
    await Promise.all(replicas.map(probe));
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = round().finally(() => {
      if (!stopped) timer = setTimeout(loop, PROBE_MS).unref();
    });
  };
  loop();

  return {
    pick() {
      for (let i = 0; i < replicas.length; i += 1) {
        const replica = replicas[(turn + i) % replicas.length]!;
        if (fitToServe(replica)) {
          turn = (turn + i + 1) % replicas.length;
          return replica.handle;
        }
      }
      return null;
    },
    states: () =>
      replicas.map((r) => ({ replica: r.name, serving: fitToServe(r), lagMs: r.lagMs })),
    get fallbacks() {
      return fallbacks;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all(replicas.map((r) => r.client.end({ timeout: 5 })));
    },
  };
}

type Thenable = PromiseLike<unknown> & { values(): Thenable };
type Unsafe = (query: string, params?: unknown[], options?: object) => Thenable;
type Begin = (...args: unknown[]) => Promise<unknown>;

/**
 * The replica's client, whose statements and transactions are run again on the primary when they
 * fail on the replica for a reason the primary does not share (faults.ts, isReplicaFault). Only
 * the two methods Drizzle's postgres.js session calls, `unsafe` (awaited, or `.values()` then
 * awaited) and `begin`, are wrapped; a read transaction is run again whole.
 */
export function failingOver(
  replica: postgres.Sql,
  primary: postgres.Sql,
  onFault: (error: unknown) => void,
): postgres.Sql {
  const retried = <T>(error: unknown, again: () => T): T => {
    if (!isReplicaFault(error)) throw error;
    onFault(error);
    return again();
  };
  return new Proxy(replica, {
    get(target, key, receiver) {
      if (key === 'unsafe') {
        return (...args: Parameters<Unsafe>) => {
          let values = false;
          const on = (client: postgres.Sql) => {
            const query = (client.unsafe as unknown as Unsafe)(...args);
            return values ? query.values() : query;
          };
          const query: Thenable = {
            values() {
              values = true;
              return query;
            },
            // biome-ignore lint/suspicious/noThenProperty: it stands for a postgres.js query, which Drizzle awaits.
            then(ok, fail) {
              return Promise.resolve(on(replica))
                .then(undefined, (error: unknown) => retried(error, () => on(primary)))
                .then(ok, fail);
            },
          };
          return query;
        };
      }
      if (key === 'begin') {
        return (...args: unknown[]) =>
          (replica.begin as unknown as Begin)(...args).catch((error: unknown) =>
            retried(error, () => (primary.begin as unknown as Begin)(...args)),
          );
      }
      return Reflect.get(target, key, receiver);
    },
  });
}
