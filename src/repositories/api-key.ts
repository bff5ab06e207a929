import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type ApiKeyRow, apiKeys } from '../db/schema.js';

// API keys are found by the hash of the presented key before any company is known, so this
// repository is not bound to a company (nor is the rate-limit buckets', keyed by credential).
export function apiKeyRepository(db: Database) {
  return {
    async findActiveByHash(keyHash: string): Promise<ApiKeyRow | null> {
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedTime)));
      return row ?? null;
    },

    async insert(key: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
      const [row] = await db.insert(apiKeys).values(key).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** Revokes an active key; null when there is no active key with this ID. */
    async revoke(id: string): Promise<ApiKeyRow | null> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedTime: new Date().toISOString() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedTime)))
        .returning();
      return row ?? null;
    },

    list(companyId?: string): Promise<ApiKeyRow[]> {
      const query = db.select().from(apiKeys);
      return (
        companyId === undefined ? query : query.where(eq(apiKeys.companyId, companyId))
      ).orderBy(asc(apiKeys.createdTime));
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
