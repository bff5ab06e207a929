// Idempotency keys on the creating mutations (Stripe's semantics, API.md "Write safety"): a
// client may send `idempotencyKey` (1–255 characters, per company, kept 24 hours) and retry
// blindly. The key is claimed inside the write's own transaction, before anything else, with the
// hash of the mutation field's canonical arguments (not of the document's text, so a retry with
// another selection set, literal or variable is the same call):
// - the first call runs, and keeps the IDs it made next to the key, in its transaction;
// - a retry with the same arguments writes nothing and answers from those IDs (its selection
//   set read from the rows as they are now);
// - the same key with other arguments: INVALID_ARGUMENT on input.idempotencyKey;
// - the first still running: ABORTED (retry shortly);
// - a failed call keeps nothing (its transaction rolled back with the key).
// Only IDs are kept: no personal value lives in the table (erasure has nothing to scrub there).
import { createHash } from 'node:crypto';
import { Aborted, InvalidArgument } from '../errors.js';
import type { Repositories } from '../repositories/index.js';
import type { ServiceContext } from './service-context.js';

/** How long a key is kept: a retry after that is a new call. */
export const KEYS_KEPT_MS = 24 * 60 * 60 * 1000;
const MAX_KEY = 255;

export interface IdempotentCall {
  key: string;
  operation: string;
  requestHash: string;
}

/** JSON with keys sorted at every level and undefined left out: one text per value. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * The call a mutation's input makes, when it carries a key (else null): the key checked, and the
 * hash of everything else the input says.
 */
export function idempotentCall(
  operation: string,
  input: { idempotencyKey?: string | null | undefined },
): IdempotentCall | null {
  const { idempotencyKey: key, ...args } = input;
  if (key === undefined || key === null) return null;
  if (key.length < 1 || key.length > MAX_KEY) {
    throw InvalidArgument.of('input.idempotencyKey', `must be 1..${MAX_KEY} characters`);
  }
  const requestHash = createHash('sha256').update(canonical({ operation, args })).digest('hex');
  return { key, operation, requestHash };
}

/** How a call's result is kept (its IDs) and made again from them. */
export interface KeptResult<R, K> {
  keep(result: R): K;
  replay(kept: K, tx: Repositories): Promise<R>;
}

/**
 * Runs `work` in the transaction `tx` under the call's key, or answers the call's first result
 * again. To be called first in the transaction: the claim is its first statement.
 */
export async function idempotently<R, K>(
  { clock }: ServiceContext,
  tx: Repositories,
  call: IdempotentCall | null,
  kept: KeptResult<R, K>,
  work: () => Promise<R>,
): Promise<R> {
  if (!call) return work();
  const now = clock();
  const outcome = await tx.idempotency.claim({
    ...call,
    now: now.toISOString(),
    expiredBefore: new Date(now.getTime() - KEYS_KEPT_MS).toISOString(),
  });
  if (outcome.claimed) {
    const result = await work();
    await tx.idempotency.complete(call.key, kept.keep(result));
    return result;
  }
  if ('running' in outcome) {
    throw new Aborted(
      'A request with this idempotencyKey is still running: retry it after that one has answered.',
    );
  }
  const { existing } = outcome;
  if (existing.operation !== call.operation || existing.requestHash !== call.requestHash) {
    throw InvalidArgument.of(
      'input.idempotencyKey',
      `was used for another request (${existing.operation} with other arguments) in the last 24 hours: use a new key for a new request`,
    );
  }
  if (existing.result === null) throw new Error('a completed idempotency key holds no result');
  return kept.replay(existing.result as K, tx);
}
