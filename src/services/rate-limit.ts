// Query cost rate limits, Shopify's leaky bucket: each credential has a bucket of
// `capacity` points refilled at `restorePerSecond`; a document's requested cost is taken before it
// runs, and what it did not use (requested minus actual) is given back after, with the bucket's
// next charge (so that a request costs one statement, not two; fewer under load, see run()). A
// document the bucket cannot hold is refused uncharged with RESOURCE_EXHAUSTED and the seconds
// until it would fit; one that costs more than a full bucket can never run. The buckets live in the database (repositories/
// rate-limit.ts), shared by every process; the refunds waiting for a bucket's next charge are this
// process's.
import type { Principal } from '../auth/principal.js';
import { RateLimited } from '../errors.js';
import type { BucketLimits, RateLimitRepository } from '../repositories/rate-limit.js';

/** Shopify's `throttleStatus`. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** One bucket per credential: an API key's ID, or a JWT's company and subject. */
export const bucketOf = (principal: Principal) => `${principal.companyId}/${principal.actorId}`;

export interface RateLimiter {
  readonly limits: BucketLimits;
  /** Takes `cost` from the principal's bucket, or throws RateLimited; the bucket after. */
  charge(principal: Principal, cost: number): Promise<ThrottleStatus>;
  /** Gives back points a request did not use (with the bucket's next charge). */
  refund(principal: Principal, points: number): void;
}

interface Waiting {
  cost: number;
  resolve(status: ThrottleStatus): void;
  reject(error: unknown): void;
}

/** The most charges one statement takes. */
const BATCH = 100;

export function rateLimiter(
  buckets: RateLimitRepository,
  limits: BucketLimits,
  onRefused: () => void = () => {},
): RateLimiter {
  const pending = new Map<string, number>();
  /** Per bucket, the charges waiting while its statement runs (no entry: none running). */
  const queues = new Map<string, Waiting[]>();
  const status = (available: number): ThrottleStatus => ({
    maximumAvailable: limits.capacity,
    currentlyAvailable: Math.floor(available),
    restoreRate: limits.restorePerSecond,
  });
  const refused = (cost: number, available: number) => {
    onRefused();
    const retryAfterS = Math.max(1, Math.ceil((cost - available) / limits.restorePerSecond));
    return new RateLimited(
      `This query costs ${cost} points and ${Math.floor(available)} are available (${limits.restorePerSecond} restored per second); retry in ${retryAfterS} s.`,
      retryAfterS,
    );
  };

  // One statement per bucket at a time: the charges that arrive while it runs wait, and go
  // together in the next. Under load from one credential, a request's charge then costs a
  // fraction of a round trip (the bench's byid spent a fifth of its CPU on one charge statement
  // per request), and the bucket's row lock is taken once per batch, not once per request.
  const run = (bucket: string, queue: Waiting[]): void => {
    const batch = queue.splice(0, BATCH);
    const refund = pending.get(bucket) ?? 0;
    pending.delete(bucket);
    buckets
      .charge(
        bucket,
        batch.map((w) => w.cost),
        refund,
        limits,
      )
      .then(
        ({ taken, available }) => {
          // Each taken charge sees the bucket as it was after it (the later ones still in it).
          let after = available;
          for (let i = taken - 1; i >= 0; i -= 1) {
            batch[i]!.resolve(status(after));
            after += batch[i]!.cost;
          }
          // A charge after the first that did not fit may fit what is left: it goes again,
          // first in the next statement, so that the batch decides what one-by-one would.
          const again = batch.slice(taken).filter((w, i) => {
            if (i > 0 && w.cost <= available) return true;
            w.reject(refused(w.cost, available));
            return false;
          });
          queue.unshift(...again);
        },
        (error: unknown) => {
          // Not given back yet: kept for the next charge.
          if (refund > 0) pending.set(bucket, (pending.get(bucket) ?? 0) + refund);
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        if (queue.length > 0) run(bucket, queue);
        else queues.delete(bucket);
      });
  };

  return {
    limits,
    charge(principal, cost) {
      if (cost > limits.capacity) {
        onRefused();
        return Promise.reject(
          new RateLimited(
            `This query costs ${cost} points, more than the ${limits.capacity} a full bucket holds; it can never run. Ask for fewer nodes.`,
            null,
          ),
        );
      }
      const bucket = bucketOf(principal);
      return new Promise<ThrottleStatus>((resolve, reject) => {
        const queue = queues.get(bucket);
        if (queue) {
          queue.push({ cost, resolve, reject });
          return;
        }
        const started: Waiting[] = [{ cost, resolve, reject }];
        queues.set(bucket, started);
        run(bucket, started);
      });
    },
    refund(principal, points) {
      if (points <= 0) return;
      const bucket = bucketOf(principal);
      pending.set(bucket, (pending.get(bucket) ?? 0) + points);
    },
  };
}
