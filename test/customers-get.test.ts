import { describe, expect, it } from 'vitest';
import { createCustomer, expectCode, getCustomer } from './helpers/customers.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

describe('customer(id) (GetCustomer)', () => {
  it('returns the customer with notes, tags, preference and compliance', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      tags: [{ name: 'Cat person' }],
      notes: [{ note: 'hi' }],
    });
    const response = await getCustomer(company, created.id);
    expect(response.errors).toBeUndefined();
    expect(response.data!.customer).toEqual(created);
  });

  it('answers null plus NOT_FOUND for an unknown ID, a malformed one, and one of another company alike', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    const answers = await Promise.all(
      ['cus_0000000000000000', 'banana', theirs.id].map((id) => getCustomer(company, id)),
    );
    for (const response of answers) {
      const error = expectCode(response, 'NOT_FOUND');
      expect(response.data).toEqual({ customer: null });
      expect(error.path).toEqual(['customer']);
    }
    // No existence leak: the foreign ID gets the same message shape as an unknown one.
    expect(answers[2]!.errors![0]!.message.replace(theirs.id, 'ID')).toBe(
      answers[0]!.errors![0]!.message.replace('cus_0000000000000000', 'ID'),
    );
  });

  it('needs the customers:read scope', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company);
    const writer = await newCompany(env, { id: company.id, scope: 'customers:write' });
    expectCode(await getCustomer(writer, created.id), 'PERMISSION_DENIED');
  });
});

describe('customersByIds, node and nodes', () => {
  it('returns customers in the order asked with null where absent or foreign, in one statement', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const a = await createCustomer(company);
    const b = await createCustomer(company);
    const theirs = await createCustomer(other);
    env.sql.length = 0;
    const response = await company.gql<{ customersByIds: ({ id: string } | null)[] }>(
      'query($ids: [ID!]!) { customersByIds(ids: $ids) { id } }',
      { ids: [b.id, theirs.id, a.id, 'cus_missing0000000', b.id] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.customersByIds).toEqual([
      { id: b.id },
      null,
      { id: a.id },
      null,
      { id: b.id },
    ]);
    expect(env.sql).toHaveLength(1);
  });

  it('refuses more than 500 IDs', async () => {
    const company = await newCompany(env);
    const ids = Array.from({ length: 501 }, (_, i) => `cus_${i}`);
    const response = await company.gql('query($ids: [ID!]!) { customersByIds(ids: $ids) { id } }', {
      ids,
    });
    expectCode(response, 'INVALID_ARGUMENT');
  });

  it('resolves node(id) by the ID prefix, for customers, notes and tags', async () => {
    const company = await newCompany(env);
    const created = await createCustomer(company, {
      tags: [{ name: 'Dog' }],
      notes: [{ note: 'n' }],
    });
    const response = await company.gql<{ c: unknown; n: unknown; t: unknown }>(
      `query($c: ID!, $n: ID!, $t: ID!) {
        c: node(id: $c) { __typename id ... on Customer { firstName } }
        n: node(id: $n) { __typename id ... on CustomerNote { note } }
        t: node(id: $t) { __typename id ... on CustomerTag { name } }
      }`,
      { c: created.id, n: created.notes.edges[0]!.node.id, t: created.tags[0]!.id },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      c: { __typename: 'Customer', id: created.id, firstName: created.firstName },
      n: { __typename: 'CustomerNote', id: created.notes.edges[0]!.node.id, note: 'n' },
      t: { __typename: 'CustomerTag', id: created.tags[0]!.id, name: 'Dog' },
    });
  });

  it('answers node(id) of another company, or of no known type, with null and NOT_FOUND', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other, { tags: [{ name: 'Theirs' }] });
    for (const id of [theirs.id, theirs.tags[0]!.id, 'xyz_123']) {
      const response = await company.gql('query($id: ID!) { node(id: $id) { id } }', { id });
      expectCode(response, 'NOT_FOUND');
      expect(response.data).toEqual({ node: null });
    }
  });

  it('answers nodes(ids) in order, with an error at the position of each missing one', async () => {
    const company = await newCompany(env);
    const a = await createCustomer(company);
    const response = await company.gql<{ nodes: ({ id: string } | null)[] }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      { ids: [a.id, 'cus_missing0000000'] },
    );
    expect(response.data!.nodes).toEqual([{ id: a.id }, null]);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['nodes', 1],
      extensions: { code: 'NOT_FOUND' },
    });
  });
});
