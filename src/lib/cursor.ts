// Opaque keyset cursors. A cursor holds the sort key of the row it points at (exact epoch
// microseconds and the row ID) and a hash of the list it was made for: its kind, owner and
// filter. Handing it to another list, order or filter is an INVALID_ARGUMENT, not a silently
// wrong page. Binary-packed and base64url-encoded to stay within 64 characters.
import { createHash } from 'node:crypto';

export const MAX_CURSOR_LENGTH = 64;
const VERSION = 1;
const SCOPE_BYTES = 6;
const HEADER = 1 + SCOPE_BYTES + 8;

export interface KeysetPosition {
  micros: number;
  id: string;
}

function scopeHash(scope: string): Buffer {
  return createHash('sha256').update(scope).digest().subarray(0, SCOPE_BYTES);
}

export function encodeCursor(scope: string, position: KeysetPosition): string {
  const id = Buffer.from(position.id, 'utf8');
  const buf = Buffer.alloc(HEADER + id.length);
  buf.writeUInt8(VERSION, 0);
  scopeHash(scope).copy(buf, 1);
  buf.writeBigInt64BE(BigInt(position.micros), 1 + SCOPE_BYTES);
  id.copy(buf, HEADER);
  const cursor = buf.toString('base64url');
  if (cursor.length > MAX_CURSOR_LENGTH) throw new Error(`cursor too long for id ${position.id}`);
  return cursor;
}

const NOT_A_CURSOR = 'is not a cursor returned by this list';

/**
 * The position a cursor points at, or the reason it cannot be used (for the caller to report
 * against its argument). `scope` must be the one the cursor was made with.
 */
export function decodeCursor(cursor: string, scope: string): KeysetPosition | string {
  if (
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !/^[A-Za-z0-9_-]+$/.test(cursor)
  ) {
    return NOT_A_CURSOR;
  }
  const buf = Buffer.from(cursor, 'base64url');
  if (buf.length <= HEADER || buf.readUInt8(0) !== VERSION) return NOT_A_CURSOR;
  if (!buf.subarray(1, 1 + SCOPE_BYTES).equals(scopeHash(scope))) {
    return 'was made for another list, order or filter';
  }
  const micros = Number(buf.readBigInt64BE(1 + SCOPE_BYTES));
  const id = buf.subarray(HEADER).toString('utf8');
  if (!Number.isSafeInteger(micros) || !/^[a-z]{3}_[A-Za-z0-9_]+$/.test(id)) return NOT_A_CURSOR;
  return { micros, id };
}
