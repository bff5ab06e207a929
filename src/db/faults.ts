// What a failed statement means for the client: the database could not be reached or the
// connection broke (UNAVAILABLE: a write's outcome is then unknown), the statement ran past its
// time or waited too long for a lock (DEADLINE_EXCEEDED: its transaction is rolled back), a
// serialization failure or deadlock (ABORTED: safe to retry), or text PostgreSQL cannot store.
// Drizzle wraps the driver's error (DrizzleQueryError, whose message carries the SQL and its
// values); the driver's own error is found under `cause`.
import {
  Aborted,
  DeadlineExceeded,
  type DomainError,
  InvalidArgument,
  Unavailable,
} from '../errors.js';

/** postgres.js's own codes for a connection that failed or broke, and Node's socket errors. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server that is going away, starting or full. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '58000', '58030']);

export interface DriverError {
  code?: unknown;
  message?: unknown;
  severity?: unknown;
  routine?: unknown;
}

/** The driver's error under Drizzle's wrapper (or the error itself). */
export function driverErrorOf(error: unknown): DriverError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as DriverError).code;
    if (typeof code === 'string') return current as DriverError;
    current = current.cause;
  }
  return null;
}

/** PGlite's words for an instance that is shut down (it has no error codes of its own for it). */
const PGLITE_CLOSED = /^PGlite is clos(ed|ing)$/;

function isPgliteClosed(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (PGLITE_CLOSED.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

const isUnreachable = (code: string) =>
  CONNECTION_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08');

/**
 * Whether a read that failed on a replica is better asked of the primary: the replica could not
 * be reached or is going away, it cancelled the read for a conflict with recovery (40001), or the
 * statement writes (25006, read-only transaction), which only the primary may.
 */
export function isReplicaFault(error: unknown): boolean {
  const code = driverErrorOf(error)?.code;
  return typeof code === 'string' && (isUnreachable(code) || code === '40001' || code === '25006');
}

/** The client's error for a database failure, or null when it is not one it can act on. */
export function databaseFault(error: unknown): DomainError | null {
  const driver = driverErrorOf(error);
  const code = typeof driver?.code === 'string' ? driver.code : null;
  if (code === null) return isPgliteClosed(error) ? new Unavailable() : null;
  if (isUnreachable(code)) return new Unavailable();
  // 57014: canceled by statement_timeout (or by the request's deadline); 55P03: lock_timeout.
  if (code === '57014' || code === '55P03') return new DeadlineExceeded();
  // 40001: serialization failure; 40P01: deadlock detected.
  if (code === '40001' || code === '40P01') {
    return new Aborted('The write met a concurrent one and was rolled back; retry it.');
  }
  // 22021: a byte sequence the encoding cannot hold (NUL among them); 22P05: likewise in a
  // conversion.
  if (code === '22021' || code === '22P05') {
    return InvalidArgument.of('input', 'text must not contain the NUL character (U+0000)');
  }
  return null;
}

/** What to log of a database failure: its code and the server's words, never the values. */
export function describeDriverError(error: unknown): Record<string, unknown> | null {
  const driver = driverErrorOf(error);
  if (!driver) return null;
  const query = (error as { query?: unknown }).query;
  return {
    code: driver.code,
    message: driver.message,
    ...(driver.severity ? { severity: driver.severity } : {}),
    ...(driver.routine ? { routine: driver.routine } : {}),
    ...(typeof query === 'string' ? { statement: query } : {}),
  };
}
