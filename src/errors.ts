// The errors a client can cause. Services throw these, and database failures are read as these
// (db/faults.ts); the GraphQL boundary (graphql/error-boundary.ts) turns them into errors with
// `extensions.code`. Anything else is a bug and stays masked.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'DEADLINE_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface FieldViolation {
  /** Path of the offending input, e.g. `input.phone` or `input.tags[2].name`. */
  field: string;
  description: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldViolations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}

export class InvalidArgument extends DomainError {
  constructor(violations: readonly FieldViolation[]) {
    const first = violations[0];
    const message =
      violations.length === 1 && first
        ? `Invalid argument ${first.field}: ${first.description}`
        : `${violations.length} invalid arguments: ${violations.map((v) => v.field).join(', ')}`;
    super('INVALID_ARGUMENT', message, violations);
  }

  static of(field: string, description: string): InvalidArgument {
    return new InvalidArgument([{ field, description }]);
  }
}

/** An ID as a message quotes it: cut to a sane length (no ID is longer than 64 characters). */
const quotedId = (id: string) => JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);

export class NotFound extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${quotedId(id)} was not found`);
  }
}

export class PermissionDenied extends DomainError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
  }
}

export class Unauthenticated extends DomainError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

export class ResourceExhausted extends DomainError {
  constructor(message: string) {
    super('RESOURCE_EXHAUSTED', message);
  }
}

/** A credential's rate limit: 429 with Retry-After, or no Retry-After when it can never fit. */
export class RateLimited extends ResourceExhausted {
  constructor(
    message: string,
    /** Seconds until the bucket holds the cost; null when it never will. */
    readonly retryAfterS: number | null,
  ) {
    super(message);
  }
}

export class FailedPrecondition extends DomainError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

/** A concurrency conflict: nothing was written; safe to retry after re-reading. */
export class Aborted extends DomainError {
  constructor(message: string) {
    super('ABORTED', message);
  }
}

/**
 * A write made against a version that is no longer current (`expectedVersion`): nothing was
 * written; the client re-reads (the answer carries `extensions.currentVersion`) and decides.
 */
export class StaleVersion extends Aborted {
  constructor(
    what: string,
    id: string,
    expected: number,
    readonly currentVersion: number,
  ) {
    super(
      `${what} ${id} is at version ${currentVersion}, not ${expected}: it changed since it was read; read it again and retry`,
    );
  }
}

/** The request ran past its deadline; its transaction was rolled back. */
export class DeadlineExceeded extends DomainError {
  constructor(message = 'The request ran past its deadline; nothing it began was kept.') {
    super('DEADLINE_EXCEEDED', message);
  }
}

/** Seconds a client should wait before retrying an UNAVAILABLE request. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/**
 * The database cannot be reached, or the connection broke: a write's outcome is unknown (retry
 * writes only with an idempotency key).
 */
export class Unavailable extends DomainError {
  constructor(
    message = 'The database is unavailable; a write in this request may or may not have been kept. Retry later.',
  ) {
    super('UNAVAILABLE', message);
  }
}

/** Collects every violation of a request so that they are all reported at once. */
export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  addAll(violations: readonly FieldViolation[]): void {
    this.list.push(...violations);
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new InvalidArgument(this.list);
  }
}
