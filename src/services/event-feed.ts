// What a subscription waits on between reads of the stream: the process's notifications, per
// company (db/notifications.ts), or a poll interval at the latest, so that a subscriber never
// waits on a notification alone. Closing the feed (a shutdown) ends every wait with an error
// the subscriber is told: resubscribe with your last cursor.
import { Unavailable } from '../errors.js';

/** The longest a subscription waits without a notification before reading the stream again. */
const POLL_MS = 5_000;

export interface EventFeed {
  /** Resolves at the company's next notification (or any reconnect), or after the poll interval. */
  next(companyId: string, stopped: Promise<unknown>): Promise<void>;
  /** A notification of the company's (or of every company's, when null). */
  wake(companyId: string | null): void;
  /** Ends every wait, now and later, with UNAVAILABLE. */
  close(): void;
  readonly closed: boolean;
}

export function eventFeed(pollMs = POLL_MS): EventFeed {
  const waiting = new Map<string, Set<() => void>>();
  const closers = new Set<(error: Error) => void>();
  let closed = false;
  const closing = () =>
    new Unavailable(
      'The server is shutting down: subscribe again with the last cursor you received',
    );

  return {
    get closed() {
      return closed;
    },
    next(companyId, stopped) {
      if (closed) return Promise.reject(closing());
      return new Promise<void>((resolve, reject) => {
        let waiters = waiting.get(companyId);
        if (!waiters) {
          waiters = new Set();
          waiting.set(companyId, waiters);
        }
        const timer = setTimeout(() => done(), pollMs);
        const fail = (error: Error) => {
          cleanUp();
          reject(error);
        };
        const done = () => {
          cleanUp();
          resolve();
        };
        const cleanUp = () => {
          clearTimeout(timer);
          waiters.delete(done);
          if (waiters.size === 0) waiting.delete(companyId);
          closers.delete(fail);
        };
        waiters.add(done);
        closers.add(fail);
        // A subscriber that leaves mid-wait leaves nothing behind.
        stopped.then(done, done);
      });
    },
    wake(companyId) {
      const targets =
        companyId === null ? [...waiting.values()] : [waiting.get(companyId) ?? new Set()];
      for (const waiters of targets) for (const wake of [...waiters]) wake();
    },
    close() {
      closed = true;
      const error = closing();
      for (const fail of [...closers]) fail(error);
    },
  };
}
