// Opens the store: an embedded PGlite (a data folder, or memory) or a PostgreSQL pool through
// postgres.js. Both are driven through the same Drizzle interface; nothing above this folder
// knows which one it has.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type DatabaseConfig, databaseTimeouts } from '../config.js';
import { lockDataFolder } from './folder-lock.js';
import { type Health, watchHealth } from './health.js';
import { type ReplicaState, watchReplicas } from './replicas.js';

/** A Drizzle handle on either driver; a transaction handle has the same type. */
export type Database = PgDatabase<PgQueryResultHKT>;

export type Driver =
  | {
      kind: 'postgres';
      client: postgres.Sql;
      /** On the primary itself (DATABASE_DIRECT_URL, or the client's): LISTEN, migrations' lock. */
      direct: postgres.Sql;
    }
  | { kind: 'pglite'; client: PGlite };

/** A Drizzle handle, and the same database with its statements told to an observer. */
export interface Handles {
  db: Database;
  observed(observe: StatementObserver): Database;
}

/** A PostgreSQL pool's connections by state, and the queries waiting for one. */
export interface ConnectionStats {
  idle: number;
  busy: number;
  connecting: number;
  waiting: number;
}

/**
 * The pool's connections as postgres.js holds them: `connectionStats` is added by our patch
 * (patches/postgres+3.4.9.patch), its queues being private otherwise.
 */
/** The rows of a raw `db.execute`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export const connectionStats = (client: postgres.Sql): ConnectionStats =>
  (client as postgres.Sql & { connectionStats(): ConnectionStats }).connectionStats();

export interface Store {
  db: Database;
  /**
   * The same database, whose statements are also told to `observe`: a Drizzle handle of its own
   * on the same pool (a traced request's, made per span that issues statements).
   */
  observed(observe: StatementObserver): Database;
  driver: Driver;
  /**
   * Handles on a streaming replica fit to serve a read now (db/replicas.ts), or null: read from
   * the primary. Always null without replicas (and on PGlite).
   */
  replica(): Handles | null;
  /** The replicas and whether each serves reads (none without DATABASE_REPLICA_URL). */
  replicas: () => ReplicaState[];
  /**
   * Whether every connection has the statement and lock timeouts from its start; not behind a
   * pooler (DATABASE_PREPARE=false), where each transaction sets its own (context.ts).
   */
  sessionTimeouts: boolean;
  /** Whether the database is reachable, as requests and pings have found it. */
  health: Health;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Called with the text of every SQL statement issued through Drizzle. */
  onQuery?: (statement: string) => void;
  /** Told when each statement is issued and answered, for metrics and traces. */
  onStatement?: StatementObserver | undefined;
  /** Told when a replica starts or stops serving reads. */
  onReplicaChange?: (change: { replica: string; serving: boolean; reason: string }) => void;
  /** A PGlite data folder dump to start from (tests clone a migrated template). */
  pgliteTemplate?: Blob;
}

/**
 * Told when a statement is issued (with its text, placeholders and no values), and returns what
 * is told when it is answered or fails: metrics time it, tracing makes it a span.
 */
export type StatementObserver = (statement: string) => (error?: unknown) => void;

/** Several observers as one. */
export function observingAll(
  observers: readonly (StatementObserver | undefined)[],
): StatementObserver | undefined {
  const present = observers.filter((o): o is StatementObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return (statement) => {
    const ends = present.map((observe) => observe(statement));
    return (error) => {
      for (const end of ends) end(error);
    };
  };
}

/** A promise that tells `done` how it settled, and settles as it did. */
function settling<T>(promise: Promise<T>, done: (error?: unknown) => void): Promise<T> {
  return promise.then(
    (value) => {
      done();
      return value;
    },
    (error: unknown) => {
      done(error);
      throw error;
    },
  );
}

/**
 * A postgres.js query that reports when it is answered. Drizzle awaits the query (or its
 * `.values()`, which returns the query itself), so the query's own `then` is wrapped, as a
 * property of this one query: a Proxy in front of it cost a trap on every property read, and a
 * promise chain after it two more promises per statement.
 */
function observed<Q extends object>(query: Q, done: (error?: unknown) => void): Q {
  type Then = (ok?: (value: unknown) => unknown, fail?: (error: unknown) => unknown) => unknown;
  const then = (query as unknown as { then: Then }).then;
  let told = false;
  const tell = (error?: unknown) => {
    if (told) return;
    told = true;
    done(error);
  };
  Object.defineProperty(query, 'then', {
    configurable: true,
    value: (ok?: (value: unknown) => unknown, fail?: (error: unknown) => unknown) =>
      then.call(
        query,
        (value: unknown) => {
          tell();
          return ok ? ok(value) : value;
        },
        (error: unknown) => {
          tell(error);
          if (fail) return fail(error);
          throw error;
        },
      ),
  });
  return query;
}

/**
 * A PGlite client (or transaction) whose `query` calls, the ones drizzle-orm makes, are observed.
 * PGlite keeps private fields: its other methods are called on the client itself.
 */
function observedPglite<T extends object>(client: T, observe: StatementObserver): T {
  type Query = (text: string, ...rest: unknown[]) => Promise<unknown>;
  type Transaction = (work: (tx: object) => Promise<unknown>) => Promise<unknown>;
  return new Proxy(client, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'query') {
        return (text: string, ...rest: unknown[]) =>
          settling((value as Query).call(target, text, ...rest), observe(text));
      }
      if (key === 'transaction') {
        return (work: (tx: object) => Promise<unknown>) =>
          (value as Transaction).call(target, (tx) => work(observedPglite(tx, observe)));
      }
      return value.bind(target);
    },
  });
}

/** Seconds between reconnection attempts: postgres.js's default grows to 20 s a try. */
const RECONNECT_DELAY_S = 0.1;

/**
 * Drizzle asks postgres.js for an unnamed statement unless a query is given a name, and
 * postgres.js then spends a Parse/Describe round trip on every query before running it. The
 * statements here have stable texts (lists travel as one array parameter), so let postgres.js
 * prepare each once per connection and reuse it, in transactions too. Behind a pooler in
 * transaction mode (DATABASE_PREPARE=false) every statement is unnamed: the next transaction may
 * run on a server connection that never prepared it.
 */
function preparing<T extends object>(
  client: T,
  observe: StatementObserver | undefined,
  prepare: boolean,
): T {
  type Unsafe = (query: string, params?: unknown[], options?: object) => unknown;
  type Begin = (...args: unknown[]) => unknown;
  return new Proxy(client, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'unsafe' && typeof value === 'function') {
        const unsafe = value as Unsafe;
        return (query: string, params?: unknown[], options?: object) => {
          const issued = unsafe.call(target, query, params, { ...options, prepare });
          return observe ? observed(issued as object, observe(query)) : issued;
        };
      }
      if (key === 'begin' && typeof value === 'function') {
        const begin = value as Begin;
        return (...args: unknown[]) => {
          const work = args.at(-1) as (tx: object) => unknown;
          return begin.call(target, ...args.slice(0, -1), (tx: object) =>
            work(preparing(tx, observe, prepare)),
          );
        };
      }
      return value;
    },
  });
}

export async function openStore(
  config: DatabaseConfig,
  options: StoreOptions = {},
): Promise<Store> {
  // Every statement the application issues (BEGIN and COMMIT aside), for counting.
  const logger = { logQuery: (statement: string) => options.onQuery?.(statement) };

  if (config.kind === 'postgres') return openPostgres(config, options, logger);
  let unlock = () => {};
  if (config.dataDir !== null) {
    mkdirSync(config.dataDir, { recursive: true });
    unlock = lockDataFolder(config.dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(config.dataDir ?? undefined, {
      // Customer search's extensions (drizzle/0009), shipped with PGlite.
      extensions: { pg_trgm, unaccent, btree_gin },
      ...(options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
    });
  } catch (error) {
    unlock();
    throw error;
  }
  await client.exec(`set time zone 'UTC'`);
  const pglite = client;
  const on = (observe: StatementObserver | undefined): Database =>
    drizzlePglite({ client: observe ? observedPglite(pglite, observe) : pglite, logger });
  const db = on(options.onStatement);
  const health = watchHealth(async () => {
    await db.execute(sql`select 1`);
  });
  return {
    db,
    observed: (observe) => on(observingAll([options.onStatement, observe])),
    replica: () => null,
    replicas: () => [],
    driver: { kind: 'pglite', client },
    sessionTimeouts: true,
    health,
    close: async () => {
      health.stop();
      await client.close();
      unlock();
    },
  };
}

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

/** A pool on `url` with the session settings every connection of the application has. */
function postgresPool(config: PostgresConfig, url: string, max: number): postgres.Sql {
  const timeouts = config.timeouts ?? databaseTimeouts(10_000);
  const prepare = config.prepare ?? true;
  return postgres(url, {
    max,
    prepare,
    onnotice: () => {},
    connect_timeout: timeouts.connect / 1000,
    // After a restart or a network fault the pool comes back at once, not after the default
    // backoff (which grows to 20 s between attempts); a down database is answered by
    // db/health.ts without waiting on the pool.
    backoff: () => RECONNECT_DELAY_S,
    connection: {
      application_name: 'customer-graph',
      TimeZone: 'UTC',
      // PgBouncer refuses startup parameters it does not track: behind it (DATABASE_PREPARE=false)
      // each transaction sets its own timeouts (repositories/index.ts), and statements outside
      // one have the role's (README, "Connection poolers").
      ...(prepare
        ? {
            statement_timeout: timeouts.statement,
            lock_timeout: timeouts.lock,
            // A transaction left open (its request gone) gives its locks back.
            idle_in_transaction_session_timeout: timeouts.statement,
          }
        : {}),
    },
  });
}

function openPostgres(
  config: PostgresConfig,
  options: StoreOptions,
  logger: { logQuery(statement: string): void },
): Store {
  const prepare = config.prepare ?? true;
  const client = postgresPool(config, config.url, config.poolSize);
  // Two connections: the migrations' advisory lock, and the migrations (LISTEN has its own).
  const direct = config.directUrl ? postgresPool(config, config.directUrl, 2) : client;
  const handles = (on: postgres.Sql): Handles => {
    const handle = (observe: StatementObserver | undefined): Database =>
      drizzlePostgres({ client: preparing(on, observe, prepare), logger });
    return {
      db: handle(options.onStatement),
      observed: (observe) => handle(observingAll([options.onStatement, observe])),
    };
  };
  const primary = handles(client);
  const replicas = config.replicas?.length
    ? watchReplicas({
        primary: client,
        replicas: config.replicas.map((url) => ({
          url,
          client: postgresPool(config, url, config.poolSize),
        })),
        maxLagMs: config.replicaMaxLagMs ?? 1000,
        handle: handles,
        onChange: options.onReplicaChange,
      })
    : null;
  const health = watchHealth(async () => {
    await client`select 1`;
  });
  return {
    ...primary,
    replica: () => replicas?.pick() ?? null,
    replicas: () => replicas?.states() ?? [],
    driver: { kind: 'postgres', client, direct },
    sessionTimeouts: prepare,
    health,
    close: async () => {
      health.stop();
      await replicas?.stop();
      if (direct !== client) await direct.end({ timeout: 5 });
      await client.end({ timeout: 5 });
    },
  };
}
