// Idempotency keys: one row per company and key, claimed by the first statement of the write's
// own transaction (so a write that fails or rolls back leaves no key behind), holding the hash of
// the call's arguments and, once the write is done, the IDs it made. See services/idempotency.ts.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { driverErrorOf } from '../db/faults.js';
import { type IdempotencyKeyRow, idempotencyKeys } from '../db/schema.js';
import { pruneOldest, rowsOf } from './sql.js';

/** How long a retry waits for a first call with its key that is still running, before ABORTED. */
const CLAIM_WAIT = '100ms';

export interface KeyClaim {
  key: string;
  operation: string;
  requestHash: string;
  /** The claim's time, by the service's clock. */
  now: string;
  /** A key made before this is expired: claimed again as if new. */
  expiredBefore: string;
}

/** The key is this transaction's now; or another call's, done: its row; or still running. */
export type ClaimOutcome =
  | { claimed: true }
  | { claimed: false; existing: IdempotencyKeyRow }
  | { claimed: false; running: true };

export function idempotencyRepository(db: Database, companyId: string) {
  return {
    /**
     * Claims the key, or finds it taken. An insert that meets a key another transaction holds
     * waits for it to end: a short lock_timeout for this statement alone bounds that wait, so
     * that a retry of a call still running answers ABORTED at once instead of holding a pool
     * connection for as long as the first runs.
     */
    async claim(claim: KeyClaim): Promise<ClaimOutcome> {
      const [setting] = rowsOf<{ previous: string }>(
        await db.execute(
          sql`select current_setting('lock_timeout') as previous, set_config('lock_timeout', ${CLAIM_WAIT}, true)`,
        ),
      );
      let inserted: { key: string }[];
      try {
        inserted = await db
          .insert(idempotencyKeys)
          .values({
            companyId,
            key: claim.key,
            operation: claim.operation,
            requestHash: claim.requestHash,
            createdTime: claim.now,
          })
          .onConflictDoUpdate({
            target: [idempotencyKeys.companyId, idempotencyKeys.key],
            set: {
              operation: claim.operation,
              requestHash: claim.requestHash,
              result: null,
              createdTime: claim.now,
            },
            // Only an expired key is claimed again; a live one is left as it is.
            setWhere: lt(idempotencyKeys.createdTime, claim.expiredBefore),
          })
          .returning({ key: idempotencyKeys.key });
      } catch (error) {
        if (driverErrorOf(error)?.code === '55P03') return { claimed: false, running: true };
        throw error;
      }
      await db.execute(sql`select set_config('lock_timeout', ${setting?.previous ?? '0'}, true)`);
      if (inserted.length > 0) return { claimed: true };
      const [existing] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.companyId, companyId), eq(idempotencyKeys.key, claim.key)));
      if (!existing) throw new Error('an idempotency key in conflict could not be read');
      return { claimed: false, existing };
    },

    /** Keeps what the call made, in the transaction that made it. */
    async complete(key: string, result: unknown): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ result })
        .where(and(eq(idempotencyKeys.companyId, companyId), eq(idempotencyKeys.key, key)));
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;

/** Deletes up to `limit` keys made before `before`, oldest first (every company's); gives how many. */
export const pruneIdempotencyKeys = (db: Database, before: string, limit: number) =>
  pruneOldest(
    db,
    {
      table: idempotencyKeys,
      keys: [idempotencyKeys.companyId, idempotencyKeys.key],
      time: idempotencyKeys.createdTime,
    },
    before,
    limit,
  );
