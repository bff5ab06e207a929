// Timestamps as PostgreSQL keeps them: microseconds. The store reads timestamptz as text
// ("2024-08-01 12:00:00.123456+00"); keyset cursors carry exact epoch microseconds, because a
// JavaScript Date keeps only milliseconds and a cursor rounded to them skips rows.

const PG_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)$/;

/** Epoch microseconds of a timestamptz in PostgreSQL's or RFC 3339 text form. */
export function toMicros(text: string): number {
  const m = PG_TIMESTAMP.exec(text);
  if (!m) throw new Error(`not a timestamp: ${text}`);
  const [, y, mo, d, h, mi, s, frac = '', sign, oh = '0', om = '0', os = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const fraction = Number(frac.padEnd(6, '0').slice(0, 6));
  const offsetSeconds =
    (Number(oh) * 3600 + Number(om) * 60 + Number(os)) * (sign === '-' ? -1 : 1);
  return (ms / 1000 - offsetSeconds) * 1_000_000 + fraction;
}

/** RFC 3339 text with all six fractional digits, e.g. for a SQL parameter. */
export function microsToIso(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** A Date (milliseconds, truncated) for output through the DateTime scalar. */
export function toDate(text: string): Date {
  return new Date(Math.floor(toMicros(text) / 1000));
}

/**
 * The RFC 3339 text (millisecond precision, as a Date would print) of a timestamptz read in UTC,
 * e.g. "2024-08-01 12:00:00.123456+00" -> "2024-08-01T12:00:00.123Z", without parsing dates.
 */
export function toIsoMillis(text: string): string {
  // Most values carry three fractional digits or more: two slices.
  if (text.length >= 26 && text.endsWith('+00') && text[10] === ' ' && text[19] === '.') {
    return `${text.slice(0, 10)}T${text.slice(11, 23)}Z`;
  }
  if (text.length >= 22 && text.endsWith('+00') && text[10] === ' ') {
    const fraction = text.length > 22 ? text.slice(20, -3) : '';
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction.padEnd(3, '0').slice(0, 3)}Z`;
  }
  return toDate(text).toISOString();
}
