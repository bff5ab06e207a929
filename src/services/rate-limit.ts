// Query cost rate limits, Shopify's leaky bucket: each credential has a bucket of
// `capacity` points refilled at `restorePerSecond`; a document's requested cost is taken before it
// runs, and what it did not use (requested minus actual) is given back after, with the bucket's
// next charge (so that a request costs one statement, not two). A document the bucket cannot hold
// is refused uncharged with RESOURCE_EXHAUSTED and the seconds until it would fit; one that costs
// more than a full bucket can never run. The buckets live in the database (repositories/
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

export function rateLimiter(
  buckets: RateLimitRepository,
  limits: BucketLimits,
  onRefused: () => void = () => {},
): RateLimiter {
  const pending = new Map<string, number>();
  const status = (available: number): ThrottleStatus => ({
    maximumAvailable: limits.capacity,
    currentlyAvailable: Math.floor(available),
    restoreRate: limits.restorePerSecond,
  });
  return {
    limits,
    async charge(principal, cost) {
      if (cost > limits.capacity) {
        onRefused();
        throw new RateLimited(
          `This query costs ${cost} points, more than the ${limits.capacity} a full bucket holds; it can never run. Ask for fewer nodes.`,
          null,
        );
      }
      const bucket = bucketOf(principal);
      const refund = pending.get(bucket) ?? 0;
      pending.delete(bucket);
      let charge: Awaited<ReturnType<RateLimitRepository['charge']>>;
      try {
        charge = await buckets.charge(bucket, cost, refund, limits);
      } catch (error) {
        // Not given back yet: keep it for the next charge.
        if (refund > 0) pending.set(bucket, (pending.get(bucket) ?? 0) + refund);
        throw error;
      }
      if (!charge.taken) {
        onRefused();
        const retryAfterS = Math.max(
          1,
          Math.ceil((cost - charge.available) / limits.restorePerSecond),
        );
        throw new RateLimited(
          `This query costs ${cost} points and ${Math.floor(charge.available)} are available (${limits.restorePerSecond} restored per second); retry in ${retryAfterS} s.`,
          retryAfterS,
        );
      }
      return status(charge.available);
    },
    refund(principal, points) {
      if (points <= 0) return;
      const bucket = bucketOf(principal);
      pending.set(bucket, (pending.get(bucket) ?? 0) + points);
    },
  };
}
