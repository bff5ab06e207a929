// Type-prefixed random IDs, as upstream: cus_ customer, cxn_ note, ctg_ tag, cad_ address,
// crs_ referral source, key_ API key. The prefix tells the type, so `node(id:)` needs no lookup.
import { randomFillSync } from 'node:crypto';

export const ID_PREFIX = {
  customer: 'cus_',
  note: 'cxn_',
  tag: 'ctg_',
  address: 'cad_',
  referralSource: 'crs_',
  apiKey: 'key_',
  complianceChange: 'cch_',
  cofLink: 'cof_',
  cardSetup: 'cst_',
  event: 'cev_',
  webhookEndpoint: 'whe_',
  webhookDelivery: 'whd_',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 16; // 62^16 ≈ 2^95

/** The most IDs one argument may list (nodes, customersByIds). */
export const MAX_IDS_PER_REQUEST = 500;

/** Longest ID accepted anywhere; longer input cannot name a row and is treated as unknown. */
export const MAX_ID_LENGTH = 64;

/**
 * Random bytes from a pool refilled 8 KiB at a time, as Node's own randomUUID does: one
 * `randomFillSync` call per ~250 IDs instead of one each (a bulk create makes about 800 IDs; one
 * call each was 8% of its CPU). Every byte is used once.
 */
const pool = Buffer.alloc(8192);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

export function randomToken(length: number): string {
  // 248 = 4 * 62: rejecting bytes >= 248 keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomToken(RANDOM_LENGTH);
}

/** True when `id` has the prefix of `kind` and could be one of its IDs. */
export function isIdOf(kind: IdKind, id: string): boolean {
  return id.length <= MAX_ID_LENGTH && id.startsWith(ID_PREFIX[kind]);
}

/** The kind an ID names by its prefix, or null. */
export function kindOfId(id: string): IdKind | null {
  if (id.length > MAX_ID_LENGTH) return null;
  for (const [kind, prefix] of Object.entries(ID_PREFIX)) {
    if (id.startsWith(prefix)) return kind as IdKind;
  }
  return null;
}
