// The shared store of automatic persisted queries in PostgreSQL (graphql/persisted-queries.ts):
// a hash and its document, registered by one process, read by all. Registering again renews the
// 24 hours a document is kept; pruned in batches with the other retention work.
import { eq, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../db/client.js';
import { persistedQueries } from '../db/schema.js';

export function persistedQueryRepository(db: Database) {
  return {
    async get(hash: string): Promise<string | null> {
      const [row] = await db
        .select({ query: persistedQueries.query })
        .from(persistedQueries)
        .where(eq(persistedQueries.hash, hash));
      return row?.query ?? null;
    },

    async set(hash: string, query: string): Promise<void> {
      await db
        .insert(persistedQueries)
        .values({ hash, query })
        .onConflictDoUpdate({
          target: persistedQueries.hash,
          set: { registeredTime: sql`now()` },
        });
    },
  };
}

/** Deletes up to `limit` documents registered before `before`; gives how many. */
export async function prunePersistedQueries(
  db: Database,
  before: string,
  limit: number,
): Promise<number> {
  const rows = rowsOf<{ deleted: string | number }>(
    await db.execute(sql`
      with doomed as (
        select hash from ${persistedQueries}
        where registered_time < ${before}::timestamptz order by registered_time limit ${limit}
      ), deleted as (
        delete from ${persistedQueries} p using doomed where p.hash = doomed.hash returning 1
      )
      select count(*) as deleted from deleted`),
  );
  return Number(rows[0]?.deleted ?? 0);
}

/** Where persisted queries are shared: PostgreSQL (above) or Redis (REDIS_URL). */
export interface SharedDocuments {
  get(hash: string): Promise<string | null>;
  set(hash: string, query: string): Promise<void>;
  close?(): Promise<void>;
}

const KEPT_SECONDS = 24 * 60 * 60;

/**
 * The same store in Redis: `apq:<hash>` with a 24-hour expiry, renewed by a new registration. A
 * Redis that is down makes a hash unknown (the client sends its document again), never an error.
 */
export async function redisPersistedQueries(url: string): Promise<SharedDocuments> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  await redis.connect();
  return {
    get: (hash) => redis.get(`apq:${hash}`).catch(() => null),
    set: async (hash, query) => {
      await redis.set(`apq:${hash}`, query, 'EX', KEPT_SECONDS).catch(() => undefined);
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
