// The tag catalog: tags(companyId) in name order, keyset-paged, filtered by a part of the name
// (literally), with customerCount batched; renameTag (trimmed, unique case-insensitively);
// deleteTag (off every customer in one transaction, one event each); removeCustomerTags
// (idempotent); referralSources; another company's tags are out of reach.
import { describe, expect, it } from 'vitest';
import { createCustomer, expectCode, getCustomer } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const TAGS = /* GraphQL */ `
  query($companyId: ID!, $first: Int, $after: String, $query: String) {
    tags(companyId: $companyId, first: $first, after: $after, query: $query) {
      totalCount
      edges { cursor node { id name customerCount } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const RENAME = /* GraphQL */ `
  mutation($input: RenameTagInput!) { renameTag(input: $input) { tag { id name } } }
`;
const DELETE = /* GraphQL */ `
  mutation($input: DeleteTagInput!) { deleteTag(input: $input) { deletedTagId } }
`;
const REMOVE = /* GraphQL */ `
  mutation($input: RemoveCustomerTagsInput!) {
    removeCustomerTags(input: $input) { removedTagIds customer { id lastUpdatedTime tags { name } } }
  }
`;
const EVENTS = /* GraphQL */ `
  query($companyId: ID!) {
    customerEvents(companyId: $companyId, filter: { types: [CUSTOMER_TAGS_REMOVED] }) {
      edges { node { customerId changes { field oldValue newValue } } }
    }
  }
`;

interface TagNode {
  id: string;
  name: string;
  customerCount: number;
}
interface TagsData {
  tags: {
    totalCount: number;
    edges: { cursor: string; node: TagNode }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

async function catalog(company: TestCompany, query?: string, first = 2) {
  const nodes: TagNode[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const response: Awaited<ReturnType<typeof company.gql<TagsData>>> = await company.gql<TagsData>(
      TAGS,
      { companyId: company.id, first, after, query },
    );
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    nodes.push(...response.data!.tags.edges.map((edge) => edge.node));
    if (!response.data!.tags.pageInfo.hasNextPage) return nodes;
    after = response.data!.tags.pageInfo.endCursor;
  }
  throw new Error('the catalog did not end');
}

describe('the tag catalog', () => {
  it('lists tags by name, case-insensitively, paged, with customer counts; query filters literally', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company, { tags: [{ name: 'VIP' }, { name: 'cat' }] });
    await createCustomer(company, { tags: [{ name: 'vip dog' }, { name: 'Cat' }] });
    const archived = await createCustomer(company, {
      tags: [{ name: '50% off' }, { name: 'cat' }],
    });
    const done = await company.gql(
      'mutation($input: ArchiveCustomerInput!) { archiveCustomer(input: $input) { customer { id } } }',
      { input: { id: archived.id } },
    );
    expect(done.errors).toBeUndefined();

    const all = await catalog(company);
    expect(all.map((tag) => tag.name)).toEqual(['50% off', 'cat', 'VIP', 'vip dog']);
    // The archived customer does not count.
    expect(all.map((tag) => tag.customerCount)).toEqual([0, 2, 1, 1]);
    expect((await catalog(company, 'VIP', 10)).map((tag) => tag.name)).toEqual(['VIP', 'vip dog']);
    expect((await catalog(company, '%', 10)).map((tag) => tag.name)).toEqual(['50% off']);
    expect(await catalog(company, '_', 10)).toEqual([]);

    const counted = await company.gql<TagsData>(TAGS, { companyId: company.id, query: ' vip ' });
    expect(counted.data?.tags.totalCount).toBe(2);
    const blank = await company.gql(TAGS, { companyId: company.id, query: '  ' });
    expectCode(blank, 'INVALID_ARGUMENT');
    expect(JSON.stringify(blank.errors)).toContain('"field":"query"');
    const foreign = await company.gql(TAGS, { companyId: 'cmp_other' });
    expectCode(foreign, 'PERMISSION_DENIED');

    // A cursor is bound to its query.
    const page = await company.gql<TagsData>(TAGS, { companyId: company.id, first: 1 });
    const wrong = await company.gql(TAGS, {
      companyId: company.id,
      after: page.data!.tags.pageInfo.endCursor,
      query: 'cat',
    });
    expectCode(wrong, 'INVALID_ARGUMENT');
    expect(a.tags.length).toBe(2);
  });

  it('renameTag trims, keeps names unique case-insensitively, and a change of case is a rename', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { tags: [{ name: 'VIP' }, { name: 'Cat' }] });
    const vip = customer.tags.find((tag) => tag.name === 'VIP')!;
    const cat = customer.tags.find((tag) => tag.name === 'Cat')!;

    const renamed = await company.gql<{ renameTag: { tag: { id: string; name: string } } }>(
      RENAME,
      { input: { id: vip.id, name: '  Gold member  ' } },
    );
    expect(renamed.data?.renameTag.tag).toEqual({ id: vip.id, name: 'Gold member' });
    const read = await getCustomer(company, customer.id);
    expect(read.data?.customer?.tags.map((tag) => tag.name).sort()).toEqual(['Cat', 'Gold member']);

    const clash = await company.gql(RENAME, { input: { id: vip.id, name: 'cAT' } });
    expectCode(clash, 'INVALID_ARGUMENT');
    expect(JSON.stringify(clash.errors)).toContain('"field":"input.name"');
    expect(clash.errors?.[0]?.message).toContain(cat.id);

    const recased = await company.gql<{ renameTag: { tag: { name: string } } }>(RENAME, {
      input: { id: cat.id, name: 'CAT' },
    });
    expect(recased.data?.renameTag.tag.name).toBe('CAT');
    expectCode(await company.gql(RENAME, { input: { id: cat.id, name: ' ' } }), 'INVALID_ARGUMENT');
    expectCode(await company.gql(RENAME, { input: { id: 'ctg_none', name: 'X' } }), 'NOT_FOUND');

    const other = await newCompany(env);
    expectCode(await other.gql(RENAME, { input: { id: cat.id, name: 'Mine' } }), 'NOT_FOUND');
  });

  it('deleteTag takes it off every customer in one transaction, one event each', async () => {
    const company = await newCompany(env);
    const one = await createCustomer(company, { tags: [{ name: 'Puppy' }, { name: 'VIP' }] });
    const two = await createCustomer(company, { tags: [{ name: 'puppy' }] });
    const three = await createCustomer(company, { tags: [{ name: 'VIP' }] });
    const puppy = one.tags.find((tag) => tag.name === 'Puppy')!;

    const deleted = await company.gql<{ deleteTag: { deletedTagId: string } }>(DELETE, {
      input: { id: puppy.id },
    });
    expect(deleted.data?.deleteTag.deletedTagId).toBe(puppy.id);
    const now = async (id: string) => (await getCustomer(company, id)).data!.customer!;
    expect((await now(one.id)).tags.map((tag) => tag.name)).toEqual(['VIP']);
    expect((await now(two.id)).tags).toEqual([]);
    expect((await now(one.id)).lastUpdatedTime > one.lastUpdatedTime).toBe(true);
    expect((await now(three.id)).lastUpdatedTime).toBe(three.lastUpdatedTime);

    const events = await company.gql<{
      customerEvents: { edges: { node: { customerId: string; changes: unknown[] } }[] };
    }>(EVENTS, { companyId: company.id });
    const nodes = events.data!.customerEvents.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.customerId).sort()).toEqual([one.id, two.id].sort());
    expect(nodes[0]?.changes).toEqual([
      { field: `tags.${puppy.id}`, oldValue: 'Puppy', newValue: null },
    ]);

    expect((await catalog(company)).map((tag) => tag.name)).toEqual(['VIP']);
    expectCode(await company.gql(DELETE, { input: { id: puppy.id } }), 'NOT_FOUND');
    const other = await newCompany(env);
    const vip = three.tags[0]!;
    expectCode(await other.gql(DELETE, { input: { id: vip.id } }), 'NOT_FOUND');
    expect((await now(three.id)).tags.map((tag) => tag.name)).toEqual(['VIP']);
  });

  it('removeCustomerTags removes what the customer carries, and repeating it changes nothing', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { tags: [{ name: 'VIP' }, { name: 'Cat' }] });
    const vip = customer.tags.find((tag) => tag.name === 'VIP')!;
    type Removed = {
      removeCustomerTags: {
        removedTagIds: string[];
        customer: { lastUpdatedTime: string; tags: { name: string }[] };
      };
    };
    const first = await company.gql<Removed>(REMOVE, {
      input: { customerId: customer.id, tagIds: [vip.id, 'ctg_unknown'] },
    });
    expect(first.errors).toBeUndefined();
    expect(first.data?.removeCustomerTags.removedTagIds).toEqual([vip.id]);
    expect(first.data?.removeCustomerTags.customer.tags).toEqual([{ name: 'Cat' }]);
    const again = await company.gql<Removed>(REMOVE, {
      input: { customerId: customer.id, tagIds: [vip.id] },
    });
    expect(again.data?.removeCustomerTags.removedTagIds).toEqual([]);
    expect(again.data?.removeCustomerTags.customer.lastUpdatedTime).toBe(
      first.data?.removeCustomerTags.customer.lastUpdatedTime,
    );
    const events = await company.gql<{ customerEvents: { edges: unknown[] } }>(EVENTS, {
      companyId: company.id,
    });
    expect(events.data?.customerEvents.edges).toHaveLength(1);
    // The tag stays in the catalog.
    expect((await catalog(company)).map((tag) => tag.name)).toEqual(['Cat', 'VIP']);
    expectCode(
      await company.gql(REMOVE, { input: { customerId: customer.id, tagIds: [] } }),
      'INVALID_ARGUMENT',
    );
  });

  it('referralSources lists the company’s sources by name', async () => {
    const company = await newCompany(env);
    await createCustomer(company, { source: 'Walk-in' });
    await createCustomer(company, { source: 'google' });
    await createCustomer(company, { source: 'Google' });
    const response = await company.gql<{ referralSources: { name: string }[] }>(
      'query($c: ID!) { referralSources(companyId: $c) { id name } }',
      { c: company.id },
    );
    expect(response.data?.referralSources.map((source) => source.name)).toEqual([
      'google',
      'Walk-in',
    ]);
  });
});
