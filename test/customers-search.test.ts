// customers(filter: { query }): the search box. Case- and accent-insensitive, typo-tolerant over
// first and last name and e-mail, the phone's digits, 1-2 characters as word prefixes, `%` and
// `_` literal; best matches first with cursors across pages of the ranked result; combinable
// with orders and the other filters; another company's customers are never found.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, expectCode } from './helpers/customers.js';
import { type GraphQLResponse, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const LIST = /* GraphQL */ `
  query Search($companyId: ID!, $first: Int, $after: String, $filter: CustomerFilter, $orderBy: CustomerOrder) {
    customers(companyId: $companyId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges { node { id firstName lastName } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface Data {
  customers: {
    totalCount: number;
    edges: { node: { id: string; firstName: string; lastName: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PEOPLE = {
  john: {
    firstName: 'John',
    lastName: 'Smith',
    phone: '+12125551234',
    email: 'jsmith@example.com',
  },
  johnny: { firstName: 'Johnny', lastName: 'Smithers', phone: '+12125559876' },
  joseAccent: { firstName: 'José', lastName: 'Álvarez', phone: '+13105550000' },
  jose: { firstName: 'Jose', lastName: 'Martin', phone: '+13105550001' },
  anna: {
    firstName: 'Anna',
    lastName: "O'Brien",
    phone: '+13105550002',
    email: 'anna_obrien@example.com',
  },
  fifty: { firstName: 'Club', lastName: 'Fifty%Off', phone: '+13105550003' },
  bob: { firstName: 'Bob', lastName: 'Baker', phone: '+13105550004', email: 'bob@example.com' },
};
type Person = keyof typeof PEOPLE;

describe('customer search', () => {
  let company: TestCompany;
  const ids = {} as Record<Person, string>;
  const nameOf = new Map<string, Person>();

  beforeAll(async () => {
    company = await newCompany(env);
    for (const [key, person] of Object.entries(PEOPLE)) {
      const created = await createCustomer(company, person);
      ids[key as Person] = created.id;
      nameOf.set(created.id, key as Person);
    }
    // Someone else's John Smith is never found.
    await createCustomer(await newCompany(env), PEOPLE.john);
  });

  async function search(query: string, variables: Record<string, unknown> = {}) {
    const response: GraphQLResponse<Data> = await company.gql<Data>(LIST, {
      companyId: company.id,
      first: 50,
      filter: { query, ...((variables.filter as object) ?? {}) },
      ...(variables.orderBy ? { orderBy: variables.orderBy } : {}),
    });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data!.customers.edges.map((edge) => nameOf.get(edge.node.id));
  }

  it.each<[string, Person[]]>([
    ['jon smth', ['john', 'johnny']],
    ['JOHN SMITH', ['john', 'johnny']],
    ['smiht', ['john', 'johnny']],
    ['5551234', ['john']],
    ['212-555-1234', ['john']],
    ['(212) 555', ['john', 'johnny']],
    ['jsmith@example', ['john']],
    ['josé', ['jose', 'joseAccent']],
    ['jose', ['jose', 'joseAccent']],
    ['alvarez', ['joseAccent']],
    ['ÁLVAREZ', ['joseAccent']],
    ['jo', ['john', 'johnny', 'jose', 'joseAccent']],
    ['o', ['anna']],
    ['%', ['fifty']],
    ['fifty%', ['fifty']],
    ['_', ['anna']],
    ['anna_o', ['anna']],
    ['zzzz', []],
  ])('%s finds %j first', async (query, expected) => {
    // Typo tolerance finds near misses too ("jose" is 0.4 like "john"): they rank after.
    const found = await search(query);
    expect(found.slice(0, expected.length).sort()).toEqual([...expected].sort());
    if (expected.length === 0) expect(found).toEqual([]);
  });

  it.each<[string, Person[]]>([
    ['5551234', ['john']],
    ['%', ['fifty']],
    ['_', ['anna']],
    ['jsmith@example', ['john']],
    ['jo', ['john', 'johnny', 'jose', 'joseAccent']],
    ['alvarez', ['joseAccent']],
  ])('%s finds %j and nothing else', async (query, expected) => {
    expect((await search(query)).sort()).toEqual([...expected].sort());
  });

  it('ranks the best match first', async () => {
    expect((await search('jon smth'))[0]).toBe('john');
    expect((await search('john smith'))[0]).toBe('john');
    expect((await search('johnny smithers'))[0]).toBe('johnny');
    expect((await search('smith'))[0]).toBe('john');
  });

  it('pages through a ranked result with no duplicate or gap', async () => {
    const all = await search('jo');
    const paged: (Person | undefined)[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const response: GraphQLResponse<Data> = await company.gql<Data>(LIST, {
        companyId: company.id,
        first: 1,
        after,
        filter: { query: 'jo' },
      });
      expect(response.errors).toBeUndefined();
      paged.push(...response.data!.customers.edges.map((edge) => nameOf.get(edge.node.id)));
      expect(response.data?.customers.totalCount).toBe(4);
      if (!response.data!.customers.pageInfo.hasNextPage) break;
      after = response.data!.customers.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
    // The cursor is bound to its query.
    const other = await company.gql(LIST, {
      companyId: company.id,
      first: 1,
      after,
      filter: { query: 'john' },
    });
    expectCode(other, 'INVALID_ARGUMENT');
  });

  it('combines with an order and the other filters', async () => {
    expect(await search('smith', { orderBy: { field: 'NAME', direction: 'ASC' } })).toEqual([
      'john',
      'johnny',
    ]);
    expect(await search('smith', { orderBy: { field: 'NAME', direction: 'DESC' } })).toEqual([
      'johnny',
      'john',
    ]);
    const inactive = await company.gql(
      'mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }',
      { input: { id: ids.johnny, companyId: company.id, status: 'INACTIVE' } },
    );
    expect(inactive.errors).toBeUndefined();
    expect(await search('smith', { filter: { status: 'ACTIVE' } })).toEqual(['john']);
    expect(await search('smith', { filter: { status: 'INACTIVE' } })).toEqual(['johnny']);
    expect(await search('   ')).toHaveLength(Object.keys(PEOPLE).length);
  });
});
