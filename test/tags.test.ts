import { describe, expect, it } from 'vitest';
import { createCustomer, expectCode, getCustomer, violatedFields } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const APPEND = /* GraphQL */ `
  mutation Append($input: AppendCustomerTagsInput!) {
    appendCustomerTags(input: $input) {
      tags { id name }
      customer { id lastUpdatedTime tags { id name } }
    }
  }
`;

const LIST = /* GraphQL */ `
  query List($customerId: ID!) { customerTags(customerId: $customerId) { id name lastUpdatedBy lastUpdatedTime } }
`;

interface AppendData {
  appendCustomerTags: {
    tags: { id: string; name: string }[];
    customer: { id: string; lastUpdatedTime: string; tags: { id: string; name: string }[] };
  };
}

const appendTags = (company: TestCompany, customerId: string, tags: unknown[]) =>
  company.gql<AppendData>(APPEND, { input: { customerId, tags } });

describe('appendCustomerTags', () => {
  it('applies tags by name (found or created) and by id, returning each as applied', async () => {
    const company = await newCompany(env);
    const first = await createCustomer(company, { tags: [{ name: 'Existing' }] });
    const customer = await createCustomer(company);
    const existingId = first.tags[0]!.id;
    const response = await appendTags(company, customer.id, [
      { name: '  Brand New ' },
      { id: existingId },
      { name: 'existing' },
    ]);
    expect(response.errors).toBeUndefined();
    const { tags, customer: after } = response.data!.appendCustomerTags;
    expect(tags.map((t) => t.name)).toEqual(['Brand New', 'Existing']);
    expect(tags[1]!.id).toBe(existingId);
    expect(after.tags.map((t) => t.name)).toEqual(['Brand New', 'Existing']);
    expect(Date.parse(after.lastUpdatedTime)).toBeGreaterThanOrEqual(
      Date.parse(customer.lastUpdatedTime),
    );
  });

  it('treats a tag the customer already has as a no-op that changes nothing', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, { tags: [{ name: 'Kept' }] });
    const response = await appendTags(company, customer.id, [{ name: 'KEPT' }]);
    expect(response.errors).toBeUndefined();
    expect(response.data!.appendCustomerTags.tags).toEqual([
      { id: customer.tags[0]!.id, name: 'Kept' },
    ]);
    expect(response.data!.appendCustomerTags.customer.lastUpdatedTime).toBe(
      customer.lastUpdatedTime,
    );
    const read = await getCustomer(company, customer.id);
    expect(read.data!.customer!.tags).toEqual(customer.tags);
  });

  it('refuses bad input with field paths and writes nothing', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const cases: [unknown[], string[]][] = [
      [[], ['input.tags']],
      [
        [{}, { id: 'ctg_x', name: 'both' }],
        ['input.tags[0]', 'input.tags[1]'],
      ],
      [
        [{ name: ' ' }, { name: 'x'.repeat(101) }],
        ['input.tags[0].name', 'input.tags[1].name'],
      ],
      [Array.from({ length: 101 }, (_, i) => ({ name: `t${i}` })), ['input.tags']],
    ];
    for (const [tags, fields] of cases) {
      expect(violatedFields(await appendTags(company, customer.id, tags))).toEqual(fields);
    }
    const read = await company.gql<{ customerTags: unknown[] }>(LIST, { customerId: customer.id });
    expect(read.data!.customerTags).toEqual([]);
  });

  it('refuses an unknown or foreign tag ID as NOT_FOUND, and creates none of the named ones', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other, { tags: [{ name: 'Theirs' }] });
    const customer = await createCustomer(company);
    for (const id of [theirs.tags[0]!.id, 'ctg_unknown0000000', 'nonsense']) {
      expectCode(await appendTags(company, customer.id, [{ name: 'Fresh' }, { id }]), 'NOT_FOUND');
    }
    const fresh = await appendTags(company, customer.id, [{ name: 'fresh' }]);
    // 'Fresh' was never committed, so this spelling is the first.
    expect(fresh.data!.appendCustomerTags.tags[0]!.name).toBe('fresh');
  });

  it('answers NOT_FOUND for an unknown or foreign customer', async () => {
    const company = await newCompany(env);
    const other = await newCompany(env);
    const theirs = await createCustomer(other);
    expectCode(await appendTags(company, theirs.id, [{ name: 'x' }]), 'NOT_FOUND');
    expectCode(await company.gql(LIST, { customerId: theirs.id }), 'NOT_FOUND');
  });
});

describe('customerTags (ListCustomerTags)', () => {
  it('lists the tags applied, ordered by name case-insensitively', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      tags: [{ name: 'zebra' }, { name: 'Apple' }, { name: 'mango' }],
    });
    const response = await company.gql<{ customerTags: { name: string; lastUpdatedBy: string }[] }>(
      LIST,
      {
        customerId: customer.id,
      },
    );
    expect(response.data!.customerTags.map((t) => t.name)).toEqual(['Apple', 'mango', 'zebra']);
    expect(response.data!.customerTags[0]!.lastUpdatedBy).toBe(company.staffId);
  });
});
