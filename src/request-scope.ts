// What belongs to one HTTP request wherever it is needed, without threading it through every
// call: its ID (logs, masked errors) and a count of its SQL statements (tests, benchmarks).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface RequestScope {
  requestId: string;
  /** The peer's address, when the request came over a socket. */
  clientIp: string | null;
  statements: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-ID is kept when it is harmless, so that logs line up across services. */
export function newRequestScope(
  incomingId: string | null,
  clientIp: string | null = null,
): RequestScope {
  totals.requests += 1;
  return {
    requestId: incomingId && SAFE_REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
    clientIp,
    statements: 0,
  };
}

/** Process-wide totals, served at /metrics when enabled (benchmarks read them). */
export const totals = { requests: 0, statements: 0 };

/** Counts one SQL statement, against the current request if there is one. */
export function countStatement(): void {
  totals.statements += 1;
  const scope = requestScope.getStore();
  if (scope) scope.statements += 1;
}
