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

/** A Drizzle handle on either driver; a transaction handle has the same type. */
export type Database = PgDatabase<PgQueryResultHKT>;

export type Driver =
  | { kind: 'postgres'; client: postgres.Sql }
  | { kind: 'pglite'; client: PGlite };

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
  /** Whether the database is reachable, as requests and pings have found it. */
  health: Health;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Called with the text of every SQL statement issued through Drizzle. */
  onQuery?: (statement: string) => void;
  /** Told when each statement is issued and answered, for metrics and traces. */
  onStatement?: StatementObserver | undefined;
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
 * prepare each once per connection and reuse it, in transactions too.
 */
function preparing<T extends object>(client: T, observe?: StatementObserver): T {
  type Unsafe = (query: string, params?: unknown[], options?: object) => unknown;
  type Begin = (...args: unknown[]) => unknown;
  return new Proxy(client, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key === 'unsafe' && typeof value === 'function') {
        const unsafe = value as Unsafe;
        return (query: string, params?: unknown[], options?: object) => {
          const issued = unsafe.call(target, query, params, { ...options, prepare: true });
          return observe ? observed(issued as object, observe(query)) : issued;
        };
      }
      if (key === 'begin' && typeof value === 'function') {
        const begin = value as Begin;
        return (...args: unknown[]) => {
          const work = args.at(-1) as (tx: object) => unknown;
          return begin.call(target, ...args.slice(0, -1), (tx: object) =>
            work(preparing(tx, observe)),
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

  if (config.kind === 'postgres') {
    const timeouts = config.timeouts ?? databaseTimeouts(10_000);
    const client = postgres(config.url, {
      max: config.poolSize,
      onnotice: () => {},
      connect_timeout: timeouts.connect / 1000,
      // After a restart or a network fault the pool comes back at once, not after the default
      // backoff (which grows to 20 s between attempts); a down database is answered by
      // db/health.ts without waiting on the pool.
      backoff: () => RECONNECT_DELAY_S,
      connection: {
        application_name: 'customer-graph',
        TimeZone: 'UTC',
        statement_timeout: timeouts.statement,
        lock_timeout: timeouts.lock,
        // A transaction left open (its request gone) gives its locks back.
        idle_in_transaction_session_timeout: timeouts.statement,
      },
    });
    const on = (observe: StatementObserver | undefined): Database =>
      drizzlePostgres({ client: preparing(client, observe), logger });
    const db = on(options.onStatement);
    const health = watchHealth(async () => {
      await client`select 1`;
    });
    return {
      db,
      observed: (observe) => on(observingAll([options.onStatement, observe])),
      driver: { kind: 'postgres', client },
      health,
      close: () => {
        health.stop();
        return client.end({ timeout: 5 });
      },
    };
  }

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
    driver: { kind: 'pglite', client },
    health,
    close: async () => {
      health.stop();
      await client.close();
      unlock();
    },
  };
}
