// Change events are kept EVENT_RETENTION_DAYS (30 by default): older ones are deleted in batches
// (one statement each, oldest first) when the server starts and every ten minutes, by every
// process (a batch another process deleted first is simply empty). A cursor that pointed before
// them is then refused (services/events.ts), rather than resuming with a silent gap.
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { pruneEvents } from '../repositories/event.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 1_000;
const EVERY_MS = 10 * 60 * 1000;

export function eventRetention(
  db: Database,
  options: { retentionDays: number; clock?: () => Date; logger?: Logger },
) {
  const clock = options.clock ?? (() => new Date());
  const prune = async (): Promise<number> => {
    const before = new Date(clock().getTime() - options.retentionDays * DAY_MS).toISOString();
    let total = 0;
    for (;;) {
      const deleted = await pruneEvents(db, before, BATCH);
      total += deleted;
      if (deleted < BATCH) return total;
    }
  };
  return {
    /** Deletes every event older than the retention; gives how many. */
    prune,
    /** Prunes now and every ten minutes until the returned function is called. */
    start(): () => void {
      const run = () =>
        prune().then(
          (deleted) => {
            if (deleted > 0) options.logger?.info({ deleted }, 'change events pruned');
          },
          (error: unknown) => options.logger?.warn({ error }, 'pruning change events failed'),
        );
      void run();
      const timer = setInterval(run, EVERY_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
