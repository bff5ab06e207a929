import { describe, expect, it } from 'vitest';
import { createRepositories } from '../src/repositories/index.js';
import {
  createCustomer,
  expectCode,
  seedExample,
  updateCustomer,
  violatedFields,
} from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const LIST = /* GraphQL */ `
  query List($companyId: ID!, $first: Int, $after: String, $filter: CustomerFilter) {
    customers(companyId: $companyId, first: $first, after: $after, filter: $filter) {
      edges { cursor node { id firstName lastUpdatedTime } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

interface ListData {
  customers: {
    edges: { cursor: string; node: { id: string; firstName: string; lastUpdatedTime: string } }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

async function list(company: TestCompany, args: Record<string, unknown> = {}) {
  return company.gql<ListData>(LIST, { companyId: company.id, ...args });
}

/** Every ID of the list, page by page. */
async function listAll(company: TestCompany, first: number, filter?: unknown) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page += 1) {
    const response = await list(company, { first, after, filter });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const { edges, pageInfo } = response.data!.customers;
    ids.push(...edges.map((e) => e.node.id));
    if (!pageInfo.hasNextPage) return ids;
    after = pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

/** Sets customers' lastUpdatedTime directly, to place them in time. */
async function setUpdatedTimes(companyId: string, times: Record<string, string>) {
  const repos = createRepositories(env.store.db, companyId);
  for (const [id, time] of Object.entries(times))
    await repos.customers.update(id, { lastUpdatedTime: time });
}

describe('customers (ListCustomers)', () => {
  it('lists the company’s customers in (lastUpdatedTime, id) order; an update moves one to the end', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company, { firstName: 'A' });
    const b = await createCustomer(company, { firstName: 'B' });
    const c = await createCustomer(company, { firstName: 'C' });
    expect(await listAll(company, 20)).toEqual([a.id, b.id, c.id]);
    await updateCustomer(company, { id: a.id, lastName: 'Moved' });
    expect(await listAll(company, 20)).toEqual([b.id, c.id, a.id]);
  });

  it('pages with cursors of at most 64 characters and sound pageInfo', async () => {
    const company = await newCompany(env);
    const created = [];
    for (let i = 0; i < 7; i += 1)
      created.push((await createCustomer(company, { firstName: `N${i}` })).id);
    const first = await list(company, { first: 3 });
    const page = first.data!.customers;
    expect(page.edges).toHaveLength(3);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges[2]!.cursor);
    for (const edge of page.edges) expect(edge.cursor.length).toBeLessThanOrEqual(64);
    const second = await list(company, { first: 3, after: page.pageInfo.endCursor });
    expect(second.data!.customers.pageInfo.hasPreviousPage).toBe(true);
    expect(second.data!.customers.edges.map((e) => e.node.id)).toEqual(created.slice(3, 6));
    expect(await listAll(company, 2)).toEqual(created);
    expect(await listAll(company, 500)).toEqual(created);
  });

  it('keeps exact (microsecond) positions: rows inside one millisecond are neither skipped nor repeated', async () => {
    const company = await newCompany(env);
    const ids = [];
    for (let i = 0; i < 6; i += 1) ids.push((await createCustomer(company)).id);
    // All six in the same millisecond, microseconds apart, in an order unrelated to their IDs.
    const shuffled = [...ids].sort().reverse();
    await setUpdatedTimes(
      company.id,
      Object.fromEntries(
        shuffled.map((id, i) => [id, `2025-01-01T00:00:00.123${String(i + 1).padStart(3, '0')}Z`]),
      ),
    );
    expect(await listAll(company, 1)).toEqual(shuffled);
  });

  it('never skips a row that existed when paging began, while other requests insert and update', async () => {
    const company = await newCompany(env);
    const existing = [];
    for (let i = 0; i < 30; i += 1)
      existing.push((await createCustomer(company, { firstName: `E${i}` })).id);
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing && n < 200) {
        await createCustomer(company, { firstName: `W${n}` });
        if (n % 3 === 0)
          await updateCustomer(company, { id: existing[n % existing.length], lastName: `u${n}` });
        n += 1;
      }
    })();
    const seen = new Set<string>();
    let after: string | null = null;
    for (let pages = 0; pages < 500; pages += 1) {
      const response = await list(company, { first: 4, after });
      const { edges, pageInfo } = response.data!.customers;
      for (const edge of edges) seen.add(edge.node.id);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    writing = false;
    await writer;
    expect(existing.filter((id) => !seen.has(id))).toEqual([]);
  });

  it('bounds first to 1..500', async () => {
    const company = await newCompany(env);
    expect(violatedFields(await list(company, { first: 0 }))).toEqual(['first']);
    expect(violatedFields(await list(company, { first: 501 }))).toEqual(['first']);
    expect((await list(company, { first: 500 })).errors).toBeUndefined();
  });

  it('refuses malformed cursors and cursors made for another list, filter or company', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    for (let i = 0; i < 2; i += 1) {
      await createCustomer(company);
      await createCustomer(other);
    }
    const cursor = (await list(company, { first: 1 })).data!.customers.pageInfo.endCursor!;
    const otherCursor = (await list(other, { first: 1 })).data!.customers.pageInfo.endCursor!;
    const filter = { mainPhoneNumber: '+12125551234' };
    for (const after of ['1', 'x'.repeat(65), '!!!', `${cursor}AA`]) {
      expect(violatedFields(await list(company, { first: 1, after }))).toEqual(['after']);
    }
    expect(violatedFields(await list(company, { first: 1, after: otherCursor }))).toEqual([
      'after',
    ]);
    expect(violatedFields(await list(company, { first: 1, after: cursor, filter }))).toEqual([
      'after',
    ]);
    // The same cursor stays good for the list it was made for.
    expect((await list(company, { first: 1, after: cursor })).errors).toBeUndefined();
  });

  it("filters by lastUpdatedTime with the seed's example 3 filter: start inclusive, end exclusive", async () => {
    const company = await newCompany(env);
    const [before, atStart, inside, atEnd] = [
      await createCustomer(company),
      await createCustomer(company),
      await createCustomer(company),
      await createCustomer(company),
    ];
    await setUpdatedTimes(company.id, {
      [before!.id]: '2024-07-31T23:59:59.999999Z',
      [atStart!.id]: '2024-08-01T00:00:00Z',
      [inside!.id]: '2024-08-01T12:00:00Z',
      [atEnd!.id]: '2024-08-02T00:00:00Z',
    });
    const { filter, pagination } = seedExample(3) as {
      filter: unknown;
      pagination: { pageSize: number };
    };
    expect(await listAll(company, pagination.pageSize, filter)).toEqual([atStart!.id, inside!.id]);
    const instant = {
      lastUpdatedTime: { startTime: '2024-08-01T12:00:00Z', endTime: '2024-08-01T12:00:00Z' },
    };
    expect(await listAll(company, 20, instant)).toEqual([]);
    const open = { lastUpdatedTime: { startTime: '2024-08-01T12:00:00Z' } };
    expect((await listAll(company, 20, open)).slice(0, 2)).toEqual([inside!.id, atEnd!.id]);
  });

  it('refuses an interval that ends before it starts, and a malformed time', async () => {
    const company = await newCompany(env);
    const reversed = {
      lastUpdatedTime: { startTime: '2024-08-02T00:00:00Z', endTime: '2024-08-01T00:00:00Z' },
    };
    expect(violatedFields(await list(company, { filter: reversed }))).toEqual([
      'filter.lastUpdatedTime',
    ]);
    const malformed = { lastUpdatedTime: { startTime: 'yesterday' } };
    expect(violatedFields(await list(company, { filter: malformed }))).toEqual([
      'filter.lastUpdatedTime.startTime',
    ]);
  });

  it('filters by main phone number, normalising the input to E.164', async () => {
    const company = await newCompany(env);
    const match = await createCustomer(company, { phone: '+12125550100' });
    await createCustomer(company, { phone: '+12125550199' });
    expect(await listAll(company, 20, { mainPhoneNumber: '+1 (212) 555-0100' })).toEqual([
      match.id,
    ]);
    expect(
      violatedFields(await list(company, { filter: { mainPhoneNumber: '555-0100' } })),
    ).toEqual(['filter.mainPhoneNumber']);
  });

  it('leaves soft-deleted customers out', async () => {
    const company = await newCompany(env);
    const kept = await createCustomer(company);
    const gone = await createCustomer(company);
    await createRepositories(env.store.db, company.id).customers.update(gone.id, { deleted: true });
    expect(await listAll(company, 20)).toEqual([kept.id]);
  });

  it('lists only the caller’s company, and refuses another companyId', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const mine = await createCustomer(company);
    await createCustomer(other);
    expect(await listAll(company, 20)).toEqual([mine.id]);
    expectCode(await company.gql(LIST, { companyId: other.id }), 'PERMISSION_DENIED');
  });

  it('counts totalCount, and only when it is selected', async () => {
    const company = await newCompany(env);
    for (let i = 0; i < 3; i += 1)
      await createCustomer(company, { phone: i === 0 ? '+12125550123' : '+12125551234' });
    const query = (selection: string) =>
      company.gql<{ customers: { totalCount?: number } }>(
        `query($c: ID!, $f: CustomerFilter) { customers(companyId: $c, first: 1, filter: $f) { ${selection} } }`,
        { c: company.id, f: { mainPhoneNumber: '+12125551234' } },
      );
    env.sql.length = 0;
    await query('edges { node { id } }');
    const without = env.sql.filter((s) => /count\(/i.test(s)).length;
    env.sql.length = 0;
    const counted = await query('totalCount edges { node { id } }');
    const withCount = env.sql.filter((s) => /count\(/i.test(s)).length;
    expect(counted.data!.customers.totalCount).toBe(2);
    expect([without, withCount]).toEqual([0, 1]);
  });
});
