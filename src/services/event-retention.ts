// What is kept for a while only, deleted in batches (one statement each, oldest first) when the
// server starts and every ten minutes, by every process (a batch another process deleted first
// is simply empty):
// - change events, EVENT_RETENTION_DAYS (30 by default). A cursor that pointed before them is
//   then refused (services/events.ts), rather than resuming with a silent gap;
// - idempotency keys, 24 hours (services/idempotency.ts): an older key is claimed again as new
//   even before it is pruned;
// - persisted queries (APQ) in PostgreSQL, 24 hours from their last registration (a client
//   whose hash is gone registers it again, as the APQ protocol has it).
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { pruneEvents } from '../repositories/event.js';
import { pruneIdempotencyKeys } from '../repositories/idempotency.js';
import { prunePersistedQueries } from '../repositories/persisted-query.js';
import { KEYS_KEPT_MS } from './idempotency.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 1_000;
const EVERY_MS = 10 * 60 * 1000;

/** Deletes batch after batch until one is short; gives how many in all. */
async function inBatches(batch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await batch(BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export function eventRetention(
  db: Database,
  options: { retentionDays: number; clock?: () => Date; logger?: Logger },
) {
  const clock = options.clock ?? (() => new Date());
  const before = (ms: number) => new Date(clock().getTime() - ms).toISOString();
  /** Deletes every event older than the retention; gives how many. */
  const prune = () =>
    inBatches((limit) => pruneEvents(db, before(options.retentionDays * DAY_MS), limit));
  /** Deletes every idempotency key past its 24 hours; gives how many. */
  const pruneKeys = () =>
    inBatches((limit) => pruneIdempotencyKeys(db, before(KEYS_KEPT_MS), limit));
  /** Deletes every persisted query registered more than 24 hours ago; gives how many. */
  const prunePersisted = () =>
    inBatches((limit) => prunePersistedQueries(db, before(DAY_MS), limit));
  return {
    prune,
    pruneKeys,
    prunePersisted,
    /** Prunes now and every ten minutes until the returned function is called. */
    start(): () => void {
      const run = async () => {
        for (const [what, job] of [
          ['change events', prune],
          ['idempotency keys', pruneKeys],
          ['persisted queries', prunePersisted],
        ] as const) {
          await job().then(
            (deleted) => {
              if (deleted > 0) options.logger?.info({ deleted }, `${what} pruned`);
            },
            (error: unknown) => options.logger?.warn({ error }, `pruning ${what} failed`),
          );
        }
      };
      void run();
      const timer = setInterval(run, EVERY_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
