// How far behind a replica is, from the primary's sampled WAL positions (db/replicas.ts).
import { describe, expect, it } from 'vitest';
import { lagOf, walPosition } from '../../src/db/replicas.js';

describe('walPosition', () => {
  it('orders positions across the 32-bit boundary', () => {
    expect(walPosition('0/16B3740')).toBe(0x16b3740n);
    expect(walPosition('1/0') > walPosition('0/FFFFFFFF')).toBe(true);
    expect(walPosition('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });
});

describe('lagOf', () => {
  const samples = [
    { at: 1000, position: 100n },
    { at: 1250, position: 200n },
    { at: 1500, position: 300n },
  ];

  it('is 0 for a replica that replayed the latest position (an idle primary too)', () => {
    expect(lagOf(samples, 300n, 9000)).toBe(0);
    expect(lagOf(samples, 350n, 9000)).toBe(0);
  });

  it('is the age of the oldest sample the replica has not replayed', () => {
    expect(lagOf(samples, 250n, 1600)).toBe(100);
    expect(lagOf(samples, 200n, 1600)).toBe(100);
    expect(lagOf(samples, 150n, 1600)).toBe(350);
  });

  it('grows while the replica stays behind', () => {
    expect(lagOf(samples, 250n, 5000)).toBe(3500);
  });

  it('is at least the whole window for a replica behind every sample', () => {
    expect(lagOf(samples, 50n, 1600)).toBe(600);
  });

  it('is unknown before the primary was sampled', () => {
    expect(lagOf([], 50n, 1600)).toBeNull();
  });
});
