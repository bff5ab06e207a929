// Field validators. Each checks one value, records a violation under the given field path, and
// returns the value in its stored form (trimmed, E.164, normalised URL), or undefined when it
// is invalid. Callers run them all, then throw every violation at once.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Violations } from '../errors.js';

export const LIMITS = {
  name: 100,
  note: 10_000,
  tagName: 100,
  notesPerRequest: 100,
  tagsPerRequest: 100,
  pageSize: 500,
  shortText: 255,
  id: 64,
} as const;

/** The WHATWG e-mail grammar, the same one the EmailAddress scalar enforces on output. */
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
const PHONE_CHARACTERS = /^\+[0-9 ().-]+$/;

export function requiredText(v: Violations, field: string, value: string, max: number) {
  const trimmed = value.trim();
  if (trimmed.length === 0) v.add(field, 'must not be blank');
  else if (trimmed.length > max) v.add(field, `must be at most ${max} characters`);
  else return trimmed;
  return undefined;
}

/** Optional free text: trimmed, blank becomes null. */
export function optionalText(v: Violations, field: string, value: string, max: number) {
  const trimmed = value.trim();
  if (trimmed.length > max) {
    v.add(field, `must be at most ${max} characters`);
    return undefined;
  }
  return trimmed.length === 0 ? null : trimmed;
}

export function phone(v: Violations, field: string, value: string): string | undefined {
  const trimmed = value.trim();
  const parsed = PHONE_CHARACTERS.test(trimmed) ? parsePhoneNumberFromString(trimmed) : undefined;
  if (!parsed?.isValid()) {
    v.add(field, 'must be a valid phone number in E.164 form, e.g. +12125551234');
    return undefined;
  }
  return parsed.number;
}

export function email(v: Violations, field: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) {
    v.add(field, 'must be a valid e-mail address');
    return undefined;
  }
  return trimmed;
}

export function colorCode(v: Violations, field: string, value: string): string | undefined {
  if (!HEX_COLOR.test(value)) {
    v.add(field, 'must be a color in the form #RRGGBB');
    return undefined;
  }
  return value;
}

export function httpsUrl(v: Violations, field: string, value: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || value.length > 2048) {
    v.add(field, 'must be an https URL of at most 2048 characters');
    return undefined;
  }
  return url.toString();
}

export function identifier(v: Violations, field: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > LIMITS.id) {
    v.add(field, `must be a non-blank ID of at most ${LIMITS.id} characters`);
    return undefined;
  }
  return trimmed;
}

export function pageSize(v: Violations, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > LIMITS.pageSize) {
    v.add(field, `must be from 1 to ${LIMITS.pageSize}`);
  }
  return value;
}

export function listLength(v: Violations, field: string, list: readonly unknown[], max: number) {
  if (list.length > max) v.add(field, `must have at most ${max} items`);
}

export function inRange(v: Violations, field: string, value: number, limit: number) {
  if (!Number.isFinite(value) || value < -limit || value > limit) {
    v.add(field, `must be from -${limit} to ${limit}`);
  }
}

/** For update inputs: `null` on a field that cannot be cleared. */
export function notNull<T>(v: Violations, field: string, value: T | null): value is T {
  if (value === null) {
    v.add(field, 'cannot be null; omit it to keep the current value');
    return false;
  }
  return true;
}
