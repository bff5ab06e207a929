import { describe, expect, it } from 'vitest';
import { groupByKeys, orderByKeys } from '../../src/lib/batch.js';

describe('the DataLoader order contract', () => {
  const rows = [
    { id: 'b', owner: 'x' },
    { id: 'a', owner: 'y' },
    { id: 'c', owner: 'x' },
  ];

  it('orders one row per key, null for a key without one, repeats allowed', () => {
    expect(orderByKeys(['a', 'z', 'b', 'a'], rows, (r) => r.id)).toEqual([
      rows[1],
      null,
      rows[0],
      rows[1],
    ]);
  });

  it('groups rows per key in key order, keeping row order, [] for a key without rows', () => {
    expect(groupByKeys(['y', 'none', 'x'], rows, (r) => r.owner)).toEqual([
      [rows[1]],
      [],
      [rows[0], rows[2]],
    ]);
  });
});
