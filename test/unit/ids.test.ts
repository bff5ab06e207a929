// Random IDs and tokens: the alphabet, the length, no repeats, across refills of the byte pool.
import { describe, expect, it } from 'vitest';
import { isIdOf, newId, randomToken } from '../../src/lib/ids.js';

describe('random IDs', () => {
  it('are 16 characters of the alphabet after the prefix, and never repeat', () => {
    // 20,000 IDs use about 40 refills of the 8 KiB pool.
    const ids = Array.from({ length: 20_000 }, () => newId('customer'));
    for (const id of ids) expect(id).toMatch(/^cus_[0-9A-Za-z]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(isIdOf('customer', ids[0]!)).toBe(true);
  });

  it('use every character about equally often', () => {
    const text = Array.from({ length: 2_000 }, () => randomToken(31)).join('');
    const counts = new Map<string, number>();
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 62,000 characters: 1,000 expected each; 6 standard deviations either way.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(200);
  });
});
