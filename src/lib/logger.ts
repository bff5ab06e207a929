// Structured logs: one JSON line per event on stderr (pino), filtered by LOG_LEVEL, with the
// personal data a customer record carries (phone, e-mail, names, note text) redacted wherever it
// appears in a logged object, and the values of a failed SQL statement left out of its error.
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Logger = pino.Logger;

/** Keys whose values are personal data, at any depth. */
const PERSONAL = new Set(['phone', 'mainPhoneNumber', 'email', 'firstName', 'lastName', 'note']);
const CENSOR = '[redacted]';
const MAX_DEPTH = 16;

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * `value` with every personal key's value replaced, copied only where something is replaced
 * (the logged object itself is never changed). Written by hand instead of pino's `redact`: with
 * the keys at any depth spelled as wildcard paths (`*.*.phone`, …), pino's redaction took 8.5% of
 * a byid request's CPU in the bench's profile with a line per request, which holds no such key.
 * Plain objects and arrays are walked; errors go through errorForLog.
 */
function redacted(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i += 1) {
      const item = redacted(value[i], depth + 1);
      if (item !== value[i]) {
        out ??= value.slice();
        out[i] = item;
      }
    }
    return out ?? value;
  }
  if (!isPlain(value)) return value;
  let out: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    const next = PERSONAL.has(key) && item != null ? CENSOR : redacted(item, depth + 1);
    if (next !== item) {
      out ??= { ...record };
      out[key] = next;
    }
  }
  return out ?? value;
}

/** An error for the log: its SQL parameters and the values PostgreSQL quotes back removed. */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  const withParams = error as Error & { query?: unknown; params?: unknown };
  if (typeof withParams.query === 'string' && 'params' in withParams) {
    // drizzle-orm's DrizzleQueryError spells the values into its message (and so its stack).
    const message = `Failed query: ${withParams.query}`;
    out.stack = error.stack?.replace(error.message, message);
    out.message = message;
  }
  for (const key of ['params', 'parameters', 'args']) delete out[key];
  if ('detail' in out) out.detail = '[redacted]';
  if (error.cause !== undefined) out.cause = errorForLog(error.cause);
  // Serializers run after formatters.log: an error's own properties are redacted here.
  return redacted(out, 0);
}

/**
 * stderr, written asynchronously (sonic-boom) in writes of 4 KB or what a second gathered: with a
 * line per request, a write(2) per line (even handed to libuv's thread pool) put a system call
 * and a thread switch into every request (fs writeString took 14% of a byid request's CPU
 * profile; 2% with the lines gathered). What is left when the process exits is written then; a
 * process killed with SIGKILL loses at most the last second.
 */
function bufferedStderr(): pino.DestinationStream {
  const destination = pino.destination({
    dest: 2,
    sync: false,
    minLength: 4096,
    periodicFlush: 1000,
  });
  process.once('exit', () => destination.flushSync());
  return destination;
}

export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redacted(object, 0) as Record<string, unknown>,
      },
      serializers: { error: errorForLog, err: errorForLog },
    },
    write ? { write } : bufferedStderr(),
  );
}
