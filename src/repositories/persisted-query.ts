// The shared store of automatic persisted queries in PostgreSQL (graphql/document-caches.ts):
// a hash and its document, registered by one process, read by all. Registering again renews the
// 24 hours a document is kept; pruned in batches with the other retention work.
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { persistedQueries } from '../db/schema.js';
import { pruneOldest } from './sql.js';

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
export const prunePersistedQueries = (db: Database, before: string, limit: number) =>
  pruneOldest(
    db,
    {
      table: persistedQueries,
      keys: [persistedQueries.hash],
      time: persistedQueries.registeredTime,
    },
    before,
    limit,
  );

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
