// lib/lean-histogram.ts stands in for prom-client's Histogram on the hot paths: the same
// observations give the same exposition, label for label and bucket for bucket.
import { Histogram, register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LeanHistogram } from '../../src/lib/lean-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const exposition = async (name: string) =>
  (await register.getSingleMetricAsString(name)).replaceAll(name, 'h');

describe('LeanHistogram', () => {
  it('exposes what prom-client’s Histogram does for the same observations', async () => {
    const lean = new LeanHistogram('lean_test_seconds', 'A test.', BUCKETS, ['op', 'status']);
    const stock = new Histogram({
      name: 'stock_test_seconds',
      help: 'A test.',
      buckets: BUCKETS,
      labelNames: ['op', 'status'],
    });
    // On bounds, between them, past the last one, and zero.
    const observations: [string, string, number][] = [
      ['Get', '200', 0.001],
      ['Get', '200', 0.0005],
      ['Get', '200', 0.05],
      ['Get', '200', 3],
      ['List', '200', 0],
      ['Get', '429', 1],
      ['List', '200', 0.1],
    ];
    for (const [op, status, value] of observations) {
      lean.series(op, status).observe(value);
      stock.observe({ op, status }, value);
    }
    const text = await exposition('lean_test_seconds');
    expect(text).toBe(await exposition('stock_test_seconds'));
    expect(text).toContain('h_bucket{le="0.01",op="Get",status="200"} 2');
    expect(text).toContain('h_count{op="List",status="200"} 2');

    lean.reset();
    stock.reset();
    expect(await exposition('lean_test_seconds')).not.toContain('op="Get"');
  });

  it('has its unlabelled series from the start, as prom-client’s has once observed', async () => {
    const lean = new LeanHistogram('lean_plain_seconds', 'A test.', BUCKETS);
    expect(await exposition('lean_plain_seconds')).toContain('h_count 0');
    const stock = new Histogram({ name: 'stock_plain_seconds', help: 'A test.', buckets: BUCKETS });
    for (const value of [0.002, 0.2, 20]) {
      lean.series().observe(value);
      stock.observe(value);
    }
    expect(await exposition('lean_plain_seconds')).toBe(await exposition('stock_plain_seconds'));
  });
});
