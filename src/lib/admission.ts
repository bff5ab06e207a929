// How many write transactions may hold a pool connection at once: in all, and per company. A
// write blocked on a lock (a company row held by another session) keeps its connection while it
// waits; without a bound, one company's blocked writes would take every connection, and every
// other request would wait behind them. With at most `perKey` of a company's writes admitted and
// at most `total` in all, the rest of the pool stays free for reads and for other companies; a
// write that waits here holds no connection, and gives up at its request's deadline, before it
// began, so that nothing of it was written.
import { DeadlineExceeded } from '../errors.js';

export interface Admission {
  /**
   * Runs `work` once admitted for `key` (told whether it had to wait); DEADLINE_EXCEEDED if not
   * admitted by `deadlineAt`.
   */
  run<T>(key: string, deadlineAt: number, work: (waited: boolean) => Promise<T>): Promise<T>;
  /** Writes admitted now, and waiting (for metrics and tests). */
  readonly active: number;
  readonly waiting: number;
}

interface Waiter {
  key: string;
  admit(): void;
}

export function createAdmission(limits: { total: number; perKey: number }): Admission {
  let active = 0;
  const perKey = new Map<string, number>();
  const waiting: Waiter[] = [];

  const fits = (key: string) => active < limits.total && (perKey.get(key) ?? 0) < limits.perKey;
  const enter = (key: string) => {
    active += 1;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  };
  const leave = (key: string) => {
    active -= 1;
    const left = (perKey.get(key) ?? 1) - 1;
    if (left === 0) perKey.delete(key);
    else perKey.set(key, left);
    // The first waiter that fits goes next: a blocked company does not hold up the others.
    for (let i = 0; i < waiting.length && active < limits.total; i += 1) {
      const waiter = waiting[i];
      if (waiter && fits(waiter.key)) {
        waiting.splice(i, 1);
        i -= 1;
        enter(waiter.key);
        waiter.admit();
      }
    }
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    async run(key, deadlineAt, work) {
      const waited = !fits(key);
      if (!waited) {
        enter(key);
      } else {
        await new Promise<void>((resolve, reject) => {
          const waiter: Waiter = {
            key,
            admit: () => {
              clearTimeout(timer);
              resolve();
            },
          };
          const timer = setTimeout(
            () => {
              const index = waiting.indexOf(waiter);
              if (index !== -1) waiting.splice(index, 1);
              reject(new DeadlineExceeded());
            },
            Math.max(0, deadlineAt - Date.now()),
          );
          waiting.push(waiter);
        });
      }
      try {
        return await work(waited);
      } finally {
        leave(key);
      }
    },
  };
}
