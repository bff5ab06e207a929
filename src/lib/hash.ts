import { createHash } from 'node:crypto';

/** SHA-256 in hex: how high-entropy secrets (API keys, link tokens) are kept. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
