import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from '../../src/lib/cursor.js';
import { microsToIso, toDate, toIsoMillis, toMicros } from '../../src/lib/time.js';
import { customerListScope } from '../../src/services/customer.js';

describe('keyset cursors', () => {
  const position = { micros: 1_722_470_400_123_456, id: 'cus_AbCdEfGhIjKlMnOp' };

  it('round-trip exactly, within 64 characters', () => {
    const cursor = encodeCursor('customers|cmp_1', position);
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'customers|cmp_1')).toEqual(position);
  });

  it('refuse a cursor made for another scope', () => {
    const cursor = encodeCursor('customers|cmp_1', position);
    expect(decodeCursor(cursor, 'customers|cmp_2')).toBe(
      'was made for another list, order or filter',
    );
  });

  it.each([
    '',
    '1',
    'x'.repeat(65),
    'not base64!',
    Buffer.from('hello world, this is long').toString('base64url'),
  ])('refuse garbage %j', (cursor) => {
    expect(typeof decodeCursor(cursor, 'customers|cmp_1')).toBe('string');
  });
});

describe('timestamps', () => {
  it.each([
    ['2024-08-01 00:00:00+00', 1_722_470_400_000_000],
    ['2024-08-01 00:00:00.5+00', 1_722_470_400_500_000],
    ['2024-08-01 00:00:00.123456+00', 1_722_470_400_123_456],
    ['2024-08-01T02:00:00.000001+02:00', 1_722_470_400_000_001],
    ['2024-08-01T00:00:00Z', 1_722_470_400_000_000],
  ])('reads %s exactly', (text, micros) => {
    expect(toMicros(text)).toBe(micros);
  });

  it.each([
    ['2024-08-01 00:00:00+00', '2024-08-01T00:00:00.000Z'],
    ['2024-08-01 00:00:00.5+00', '2024-08-01T00:00:00.500Z'],
    ['2024-08-01 23:59:59.123456+00', '2024-08-01T23:59:59.123Z'],
    ['2024-08-01 02:00:00.999999+02', '2024-08-01T00:00:00.999Z'],
  ])('prints %s as %s', (text, iso) => {
    expect(toIsoMillis(text)).toBe(iso);
  });

  it('writes microseconds back without loss, and truncates to milliseconds for output', () => {
    expect(microsToIso(1_722_470_400_123_456)).toBe('2024-08-01T00:00:00.123456Z');
    expect(toMicros(microsToIso(1_722_470_400_000_001))).toBe(1_722_470_400_000_001);
    expect(toDate('2024-08-01 00:00:00.123999+00').toISOString()).toBe('2024-08-01T00:00:00.123Z');
  });
});

describe('ListCustomers cursor scopes', () => {
  it('keep the sync order’s spelling from before orders and the later filters, across a deploy', () => {
    // What the build before orders bound its cursors to (f0323b5's customerListScope).
    const earlier = (filter: { updatedFrom?: string; phone?: string }) =>
      [
        'customers',
        'cmp_1',
        'lastUpdatedTime,id',
        filter.updatedFrom ?? '',
        '',
        filter.phone ?? '',
      ].join('|');
    expect(customerListScope('cmp_1', {})).toBe(earlier({}));
    const filter = { updatedFrom: '2024-08-01T00:00:00.000Z', phone: '+12125551234' };
    expect(customerListScope('cmp_1', filter)).toBe(earlier(filter));
    // Another order or a later filter is another list.
    expect(customerListScope('cmp_1', {}, { field: 'NAME', direction: 'ASC' })).not.toBe(
      earlier({}),
    );
    expect(customerListScope('cmp_1', { status: 'ACTIVE' })).not.toBe(earlier({}));
    expect(customerListScope('cmp_1', { tagIds: ['ctg_a'] })).not.toBe(
      customerListScope('cmp_1', { tagIds: ['ctg_b'] }),
    );
  });
});
