// Rate limits per credential (API.md, "Limits and rate limits"): each document's requested cost
// is charged to the credential's bucket before it runs and what it did not use given back after;
// every response carries extensions.cost; a document the bucket cannot hold is refused uncharged
// with RESOURCE_EXHAUSTED, 429 and Retry-After, one larger than a full bucket without Retry-After;
// rateLimit(dryRun:) shows the bucket; several apps on one database share it exactly.
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/db/client.js';
import { postgresTestConfig } from './helpers/database.js';
import { graphql, isPostgres, mintJwt, newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const LIST = (first: number) =>
  `query($c: ID!) { customers(companyId: $c, first: ${first}) { edges { node { id } } } }`;
const BUCKET = '{ rateLimit(dryRun: true) { limit cost remaining restoreRate resetAt } }';

interface Cost {
  requestedQueryCost: number;
  actualQueryCost: number;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}
const costOf = (response: { extensions?: Record<string, unknown> }) =>
  response.extensions?.cost as Cost;

describe('rate limits', () => {
  it('report the cost of every response, charging the requested and giving back the unused', async () => {
    const app = await env.makeApp({ rateLimit: { capacity: 1000, restorePerSecond: 1 } });
    const company = await newCompany(env);
    // An empty company: a page of 50 asks for 50 nodes and holds none.
    const first = await company.gql(LIST(50), { c: company.id }, { app });
    expect(first.errors).toBeUndefined();
    expect(costOf(first)).toEqual({
      requestedQueryCost: 50,
      actualQueryCost: 0,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 950, restoreRate: 1 },
    });
    // The 50 unused points came back with the next charge.
    const second = await company.gql(LIST(10), { c: company.id }, { app });
    expect(costOf(second).throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(990);
  });

  it('refuse a document the bucket cannot hold, uncharged, with 429 and Retry-After', async () => {
    const app = await env.makeApp({ rateLimit: { capacity: 100, restorePerSecond: 1 } });
    const company = await newCompany(env);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `cus_missing${i}`);
    const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    // nodes(ids:) costs its length and holds it (nulls for the unknown IDs included): nothing
    // is given back.
    for (let i = 0; i < 2; i += 1) {
      const ok = await company.gql(NODES, { ids: ids(45) }, { app });
      expect(ok.status).toBe(200);
      expect(costOf(ok).actualQueryCost).toBe(45);
    }
    const refused = await company.gql(NODES, { ids: ids(45) }, { app });
    expect(refused.status).toBe(429);
    const error = refused.errors![0]!;
    expect(error.extensions?.code).toBe('RESOURCE_EXHAUSTED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(30);
    expect(error.extensions?.retryAfterSeconds).toBe(Number(refused.headers.get('retry-after')));
    // Uncharged: the bucket still holds what it held (plus what a second restored).
    const bucket = await company.gql<{
      rateLimit: { remaining: number; limit: number; cost: number };
    }>(BUCKET, {}, { app });
    expect(bucket.data?.rateLimit.limit).toBe(100);
    expect(bucket.data?.rateLimit.remaining).toBeGreaterThanOrEqual(10);
    expect(bucket.data?.rateLimit.remaining).toBeLessThan(20);
  });

  it('refuse a document larger than a full bucket without Retry-After', async () => {
    const app = await env.makeApp({ rateLimit: { capacity: 100, restorePerSecond: 1 } });
    const company = await newCompany(env);
    const response = await company.gql(LIST(150), { c: company.id }, { app });
    expect(response.errors![0]!.extensions?.code).toBe('RESOURCE_EXHAUSTED');
    expect(response.errors![0]!.message).toMatch(/can never run/);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('show the bucket with rateLimit; a dry run charges nothing', async () => {
    const app = await env.makeApp({ rateLimit: { capacity: 500, restorePerSecond: 2 } });
    const company = await newCompany(env);
    const dry = `query($c: ID!) { rateLimit(dryRun: true) { cost remaining } customers(companyId: $c, first: 40) { edges { node { id } } } }`;
    for (let i = 0; i < 3; i += 1) {
      const response = await company.gql<{ rateLimit: { cost: number; remaining: number } }>(
        dry,
        { c: company.id },
        { app },
      );
      expect(response.data?.rateLimit).toEqual({ cost: 40, remaining: 500 });
    }
    const charged = await company.gql<{
      rateLimit: {
        limit: number;
        cost: number;
        remaining: number;
        restoreRate: number;
        resetAt: string;
      };
    }>(
      `query($c: ID!) { rateLimit { limit cost remaining restoreRate resetAt } customers(companyId: $c, first: 40) { edges { node { id } } } }`,
      { c: company.id },
      { app },
    );
    const view = charged.data!.rateLimit;
    expect(view).toMatchObject({ limit: 500, cost: 40, remaining: 460, restoreRate: 2 });
    const resetIn = (Date.parse(view.resetAt) - Date.now()) / 1000;
    expect(resetIn).toBeGreaterThan(15);
    expect(resetIn).toBeLessThan(25);
  });

  it('share one bucket exactly among four apps, each with its own pool, on one database', async () => {
    const stores = isPostgres
      ? await Promise.all(Array.from({ length: 4 }, () => openStore(postgresTestConfig(4))))
      : [];
    try {
      const limits = { capacity: 200, restorePerSecond: 0.001 };
      const apps = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          env.makeApp({ rateLimit: limits, ...(stores[i] ? { store: stores[i] } : {}) }),
        ),
      );
      const token = await mintJwt({ companyId: 'cmp_shared_bucket', sub: `stf_${Date.now()}` });
      const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
      const ids = Array.from({ length: 10 }, (_, i) => `cus_none${i}`);
      // 80 requests of 10 points at once, spread over the four apps: the bucket holds 20.
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) => graphql(apps[i % 4]!, NODES, { ids }, { token })),
      );
      const admitted = answers.filter((a) => a.status === 200 && costOf(a)).length;
      const refused = answers.filter(
        (a) => a.errors?.[0]?.extensions?.code === 'RESOURCE_EXHAUSTED',
      );
      expect(admitted).toBe(20);
      expect(refused).toHaveLength(60);
      expect(refused.every((a) => a.status === 429)).toBe(true);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
