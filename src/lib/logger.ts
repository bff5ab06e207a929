// Structured logs: one JSON line per event on stderr (pino), filtered by LOG_LEVEL, with the
// personal data a customer record carries (phone, e-mail, names, note text) redacted wherever it
// appears in a logged object, and the values of a failed SQL statement left out of its error.
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Logger = pino.Logger;

/** Keys whose values are personal data, at any depth up to eight levels. */
const PERSONAL = ['phone', 'mainPhoneNumber', 'email', 'firstName', 'lastName', 'note'];
const REDACTED = PERSONAL.flatMap((key) =>
  Array.from({ length: 9 }, (_, depth) => [...Array(depth).fill('*'), key].join('.')),
);

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
  return out;
}

/**
 * stderr, written asynchronously (sonic-boom): with a line per request, a synchronous write(2) per
 * line would put a system call into every request. Lines that come while a write is under way are
 * joined into the next one; what is left when the process exits is written then.
 */
function bufferedStderr(): pino.DestinationStream {
  const destination = pino.destination({ dest: 2, sync: false });
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
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: errorForLog, err: errorForLog },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    write ? { write } : bufferedStderr(),
  );
}
