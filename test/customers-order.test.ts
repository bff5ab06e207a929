// ListCustomers' orders and filters: each order in both directions, paged two at a time with no
// duplicate or gap, ties broken by the ID; cursors bound to their order; status, business and
// tag filters, alone and combined; another company's tags match nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, expectCode, updateCustomer } from './helpers/customers.js';
import { type GraphQLResponse, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const LIST = /* GraphQL */ `
  query List($companyId: ID!, $first: Int, $after: String, $filter: CustomerFilter, $orderBy: CustomerOrder) {
    customers(companyId: $companyId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { cursor node { id firstName lastName createdTime lastUpdatedTime } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface Row {
  id: string;
  firstName: string;
  lastName: string;
  createdTime: string;
  lastUpdatedTime: string;
}

interface ListData {
  customers: {
    totalCount: number;
    edges: { cursor: string; node: Row }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Every customer of the list, two at a time. */
async function listAll(company: TestCompany, variables: Record<string, unknown>) {
  const rows: Row[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const response: GraphQLResponse<ListData> = await company.gql<ListData>(LIST, {
      companyId: company.id,
      first: 2,
      after,
      ...variables,
    });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const { edges, pageInfo } = response.data!.customers;
    rows.push(...edges.map((edge) => edge.node));
    if (!pageInfo.hasNextPage) return rows;
    after = pageInfo.endCursor;
  }
  throw new Error('the list did not end');
}

const compare = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
};

// ASCII names: how a database folds the case of other letters depends on its locale.
const PEOPLE = [
  ['anna', 'smith'],
  ['Bob', 'Smith'],
  ['Zed', 'adams'],
  ['zed', 'Adams'],
  ['Carl', 'Young'],
  ['amy', 'young'],
  ['Dora', 'baker'],
] as const;

describe('ListCustomers orders', () => {
  let company: TestCompany;
  let all: Row[];

  beforeAll(async () => {
    company = await newCompany(env);
    for (const [firstName, lastName] of PEOPLE) {
      await createCustomer(company, { firstName, lastName });
    }
    // Updated in another order than created: the two time orders differ.
    all = await listAll(company, {});
    for (const row of [...all].reverse().slice(0, 3)) {
      const response = await updateCustomer(company, { id: row.id, source: 'walk-in' });
      expect(response.errors).toBeUndefined();
    }
    all = await listAll(company, {});
  });

  const keys = {
    NAME: (row: Row) => [row.lastName.toLowerCase(), row.firstName.toLowerCase(), row.id],
    CREATED_TIME: (row: Row) => [row.createdTime, row.id],
    LAST_UPDATED_TIME: (row: Row) => [row.lastUpdatedTime, row.id],
  };

  for (const field of ['NAME', 'CREATED_TIME', 'LAST_UPDATED_TIME'] as const) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`${field} ${direction}: every customer once, in order, ties by ID`, async () => {
        const rows = await listAll(company, { orderBy: { field, direction } });
        const expected = [...all].sort((a, b) => compare(keys[field](a), keys[field](b)));
        if (direction === 'DESC') expected.reverse();
        expect(rows.map((row) => row.id)).toEqual(expected.map((row) => row.id));
      });
    }
  }

  it('NAME ties on the names (smith, Smith) are broken by the ID', async () => {
    const rows = await listAll(company, { orderBy: { field: 'NAME' } });
    const adams = rows.filter((row) => row.lastName.toLowerCase() === 'adams');
    expect(adams.map((row) => row.id)).toEqual(adams.map((row) => row.id).sort());
    expect(rows[0]?.lastName.toLowerCase()).toBe('adams');
  });

  it('the default order is the sync order, and a cursor is bound to its order', async () => {
    const sync = await listAll(company, { orderBy: { field: 'LAST_UPDATED_TIME' } });
    expect(sync.map((row) => row.id)).toEqual(all.map((row) => row.id));
    const first = await company.gql<ListData>(LIST, {
      companyId: company.id,
      first: 2,
      orderBy: { field: 'NAME' },
    });
    const cursor = first.data!.customers.pageInfo.endCursor;
    const other = await company.gql(LIST, {
      companyId: company.id,
      first: 2,
      after: cursor,
      orderBy: { field: 'NAME', direction: 'DESC' },
    });
    expectCode(other, 'INVALID_ARGUMENT');
    expect(JSON.stringify(other.errors)).toContain('"field":"after"');
  });
});

describe('ListCustomers filters', () => {
  it('status, preferredBusinessId and tagIds (all of them), alone and combined', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company, {
      preferredBusinessId: 'biz_a',
      tags: [{ name: 'VIP' }, { name: 'Cat' }],
    });
    const b = await createCustomer(company, {
      preferredBusinessId: 'biz_a',
      tags: [{ name: 'VIP' }],
    });
    const c = await createCustomer(company, {
      preferredBusinessId: 'biz_b',
      tags: [{ name: 'Cat' }],
    });
    const inactive = await updateCustomer(company, { id: b.id, status: 'INACTIVE' });
    expect(inactive.errors).toBeUndefined();
    const vip = a.tags.find((tag) => tag.name === 'VIP')!.id;
    const cat = a.tags.find((tag) => tag.name === 'Cat')!.id;

    const ids = async (filter: Record<string, unknown>, orderBy?: Record<string, unknown>) =>
      (await listAll(company, { filter, ...(orderBy ? { orderBy } : {}) }))
        .map((row) => row.id)
        .sort();
    expect(await ids({ status: 'INACTIVE' })).toEqual([b.id]);
    expect(await ids({ status: 'ACTIVE' })).toEqual([a.id, c.id].sort());
    expect(await ids({ preferredBusinessId: 'biz_a' })).toEqual([a.id, b.id].sort());
    expect(await ids({ tagIds: [vip] })).toEqual([a.id, b.id].sort());
    expect(await ids({ tagIds: [vip, cat] })).toEqual([a.id]);
    expect(await ids({ tagIds: [cat, vip, cat] }, { field: 'NAME' })).toEqual([a.id]);
    expect(await ids({ tagIds: [vip], status: 'ACTIVE' })).toEqual([a.id]);
    expect(await ids({ preferredBusinessId: 'biz_b', tagIds: [vip] })).toEqual([]);
    expect(
      await ids(
        { status: 'ACTIVE', preferredBusinessId: 'biz_b' },
        { field: 'CREATED_TIME', direction: 'DESC' },
      ),
    ).toEqual([c.id]);

    const counted = await company.gql<ListData>(LIST, {
      companyId: company.id,
      filter: { tagIds: [vip] },
    });
    expect(counted.data?.customers.totalCount).toBe(2);

    // Another company's tag, even one with the same name, matches none of this company's.
    const other = await newCompany(env);
    const foreign = await createCustomer(other, { tags: [{ name: 'VIP' }] });
    expect(await ids({ tagIds: [foreign.tags[0]!.id] })).toEqual([]);
    const theirs = await listAll(other, { filter: { tagIds: [vip] } });
    expect(theirs).toEqual([]);
  });

  it('a bad filter names its field', async () => {
    const company = await newCompany(env);
    const response = await company.gql(LIST, {
      companyId: company.id,
      filter: { tagIds: Array.from({ length: 101 }, (_, i) => `ctg_${i}`) },
    });
    expectCode(response, 'INVALID_ARGUMENT');
    expect(JSON.stringify(response.errors)).toContain('filter.tagIds');
  });
});
