// What belongs to one HTTP request beyond GraphQL's context: its ID (for logs, masked errors and
// the x-request-id header), kept per Request object. And process-wide counters for /metrics.
// No AsyncLocalStorage: on Node 20 it hooks every promise, which costs a few percent of
// throughput on every request.
import { randomUUID } from 'node:crypto';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const requestIds = new WeakMap<Request, string>();

/**
 * The request's ID: the caller's X-Request-ID when it is harmless (so that logs line up across
 * services), else a new one; the same for the whole request.
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** Process-wide totals, served at /metrics when enabled (benchmarks read them). */
export const totals = { requests: 0, statements: 0 };

/** Counts one SQL statement. */
export function countStatement(): void {
  totals.statements += 1;
}
