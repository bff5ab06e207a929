// createCustomers: 1..100 customers in one call and one transaction. PER_ITEM creates the valid
// items and reports every violation of each invalid one; ALL_OR_NOTHING writes nothing when one
// fails; the quota is taken item by item (exact under concurrent bulk and single creates on
// PostgreSQL); a phone repeated inside the batch is reported; a retry under the call's
// idempotencyKey answers the first results; the statements do not grow with the batch.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/repositories/sql.js';
import {
  countCustomers,
  expectCode,
  minimalInput,
  seedExample,
  violatedFields,
} from './helpers/customers.js';
import { isPostgres, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const BULK = /* GraphQL */ `
  mutation Bulk($input: CreateCustomersInput!) {
    createCustomers(input: $input) {
      createdCount
      results {
        index
        customer { id firstName phone tags { name } notes(first: 5) { edges { node { note } } } }
        errors { code field message }
      }
    }
  }
`;

interface Result {
  index: number;
  customer: {
    id: string;
    firstName: string;
    phone: string;
    tags: { name: string }[];
    notes: { edges: { node: { note: string } }[] };
  } | null;
  errors: { code: string; field: string | null; message: string }[];
}
type Bulk = { createCustomers: { createdCount: number; results: Result[] } };

/** A valid item with a phone of its own (+1 212 555 01nn). */
const item = (company: TestCompany, n: number, overrides: Record<string, unknown> = {}) =>
  minimalInput(company.id, {
    firstName: `Ada${n}`,
    phone: `+1212555${String(1000 + n).padStart(4, '0')}`,
    ...overrides,
  });

async function bulk(
  company: TestCompany,
  customers: Record<string, unknown>[],
  more: Record<string, unknown> = {},
  options: Parameters<TestCompany['gql']>[2] = {},
) {
  return company.gql<Bulk>(BULK, { input: { companyId: company.id, customers, ...more } }, options);
}

/** The payload, asserting the call itself did not fail. */
async function bulkOk(...args: Parameters<typeof bulk>) {
  const response = await bulk(...args);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!.createCustomers;
}

const fieldsOf = (result: Result) => result.errors.map((e) => e.field).sort();

async function count(table: string, companyId: string): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await env.store.db.execute(
      sql`select count(*)::int as n from ${sql.identifier(table)} where company_id = ${companyId}`,
    ),
  );
  return row!.n;
}

describe('createCustomers', () => {
  it('creates the valid items and reports every violation of the others (PER_ITEM)', async () => {
    const company = await newCompany(env);
    const seed = { ...seedExample(1), companyId: company.id };
    const payload = await bulkOk(company, [
      item(company, 0, { tags: [{ name: 'VIP' }], notes: [{ note: 'Morning.' }] }),
      item(company, 1, { phone: 'not a phone', firstName: '  ', email: 'nope' }),
      seed,
      item(company, 3, { companyId: 'cmp_someone_else' }),
      item(company, 4, { idempotencyKey: 'mine' }),
    ]);
    expect(payload.createdCount).toBe(2);
    expect(payload.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    const [first, invalid, fromSeed, foreign, keyed] = payload.results as [
      Result,
      Result,
      Result,
      Result,
      Result,
    ];
    expect(first.errors).toEqual([]);
    expect(first.customer).toMatchObject({
      firstName: 'Ada0',
      tags: [{ name: 'VIP' }],
      notes: { edges: [{ node: { note: 'Morning.' } }] },
    });
    // Every violation of the item, each under its path inside the item, as createCustomer gives them.
    expect(invalid.customer).toBeNull();
    expect(fieldsOf(invalid)).toEqual(['email', 'firstName', 'phone']);
    expect(new Set(invalid.errors.map((e) => e.code))).toEqual(new Set(['INVALID_ARGUMENT']));
    const alone = await company.gql(
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
      { input: item(company, 1, { phone: 'not a phone', firstName: '  ', email: 'nope' }) },
    );
    expect(violatedFields(alone)).toEqual(['input.email', 'input.firstName', 'input.phone']);
    // The seed's CreateCustomer request works verbatim as an item (its tag is the same VIP).
    expect(fromSeed.errors).toEqual([]);
    expect(fromSeed.customer).toMatchObject({ firstName: 'John', tags: [{ name: 'VIP' }] });
    expect(fieldsOf(foreign)).toEqual(['companyId']);
    expect(fieldsOf(keyed)).toEqual(['idempotencyKey']);
    expect(foreign.customer).toBeNull();

    expect(await countCustomers(company)).toBe(2);
    // Each created customer has its event, its trail and its address; one VIP tag in the catalog.
    expect(await count('customer_events', company.id)).toBe(2);
    expect(await count('compliance_changes', company.id)).toBeGreaterThanOrEqual(10);
    expect(await count('customer_addresses', company.id)).toBe(1);
    expect(await count('tags', company.id)).toBe(1);
    const read = await company.gql<{ customer: { id: string; address: unknown[] } }>(
      'query($id: ID!) { customer(id: $id) { id address { city } } }',
      { id: fromSeed.customer!.id },
    );
    expect(read.data?.customer.address).toEqual([{ city: 'New York' }]);
  });

  it('writes nothing when one item fails (ALL_OR_NOTHING)', async () => {
    const company = await newCompany(env);
    const payload = await bulkOk(
      company,
      [item(company, 0, { tags: [{ name: 'Fresh' }] }), item(company, 1, { lastName: '' })],
      { mode: 'ALL_OR_NOTHING' },
    );
    expect(payload.createdCount).toBe(0);
    expect(payload.results).toEqual([
      { index: 0, customer: null, errors: [] },
      {
        index: 1,
        customer: null,
        errors: [{ code: 'INVALID_ARGUMENT', field: 'lastName', message: expect.any(String) }],
      },
    ]);
    expect(await countCustomers(company)).toBe(0);
    for (const table of ['customer_events', 'compliance_changes', 'tags', 'companies']) {
      expect(await count(table, company.id), table).toBe(0);
    }
    // Fixed, the same batch goes through.
    const fixed = await bulkOk(company, [item(company, 0), item(company, 1)], {
      mode: 'ALL_OR_NOTHING',
    });
    expect(fixed.createdCount).toBe(2);
  });

  it('reports a phone repeated inside the batch, and tags that do not exist', async () => {
    const company = await newCompany(env);
    const payload = await bulkOk(company, [
      item(company, 0, { phone: '+12125550100' }),
      item(company, 1),
      // The same number, written another way.
      item(company, 2, { phone: '+1 (212) 555-0100' }),
      item(company, 3, { tags: [{ name: 'Ok' }, { id: 'ctg_nosuchtag' }] }),
    ]);
    expect(payload.createdCount).toBe(2);
    expect(payload.results[2]!.errors).toEqual([
      { code: 'INVALID_ARGUMENT', field: 'phone', message: 'is the phone of item 0 of this call' },
    ]);
    expect(payload.results[3]!.errors).toEqual([
      { code: 'NOT_FOUND', field: 'tags', message: 'Tag "ctg_nosuchtag" was not found' },
    ]);
    // The failed item's new tag name was not created.
    expect(await count('tags', company.id)).toBe(0);
  });

  it('takes the quota item by item: the items past it are RESOURCE_EXHAUSTED', async () => {
    const app = await env.makeApp({ customerQuota: 3 });
    const company = await newCompany(env);
    expect((await bulkOk(company, [item(company, 0)], {}, { app })).createdCount).toBe(1);

    const all = await bulkOk(
      company,
      [item(company, 1), item(company, 2), item(company, 3)],
      {
        mode: 'ALL_OR_NOTHING',
      },
      { app },
    );
    expect(all.createdCount).toBe(0);
    expect(all.results.map((r) => r.errors.map((e) => e.code))).toEqual([
      [],
      [],
      ['RESOURCE_EXHAUSTED'],
    ]);
    expect(await countCustomers(company)).toBe(1);

    const some = await bulkOk(
      company,
      [item(company, 1), item(company, 2, { phone: 'bad' }), item(company, 3), item(company, 4)],
      {},
      { app },
    );
    expect(some.createdCount).toBe(2);
    expect(some.results.map((r) => r.errors.map((e) => e.code))).toEqual([
      [],
      ['INVALID_ARGUMENT'],
      [],
      ['RESOURCE_EXHAUSTED'],
    ]);
    expect(await countCustomers(company)).toBe(3);
    // Full: every item is refused, and nothing is written.
    const none = await bulkOk(company, [item(company, 5)], {}, { app });
    expect(none.results[0]!.errors[0]!.code).toBe('RESOURCE_EXHAUSTED');
  });

  it('checks the call itself: 1..100 items, the credential’s company', async () => {
    const company = await newCompany(env);
    expect(violatedFields(await bulk(company, []))).toEqual(['input.customers']);
    const many = Array.from({ length: 101 }, (_, n) => item(company, n));
    expect(violatedFields(await bulk(company, many))).toEqual(['input.customers']);
    const foreign = await company.gql(BULK, {
      input: { companyId: 'cmp_someone_else', customers: [item(company, 0)] },
    });
    expectCode(foreign, 'PERMISSION_DENIED');
    expect(await countCustomers(company)).toBe(0);
  });

  it('writes a batch of 100 with as many statements as a batch of 2', async () => {
    const company = await newCompany(env);
    const full = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        item(company, i, {
          tags: [{ name: `t${i % 3}` }],
          notes: [{ note: `note ${i}` }],
          address: { address1: `${i} Main St`, city: 'Springfield' },
          source: i % 2 ? 'Google' : 'Walk-in',
        }),
      );
    env.sql.length = 0;
    expect((await bulkOk(company, full(2), {})).createdCount).toBe(2);
    const forTwo = env.sql.length;
    const other = await newCompany(env);
    env.sql.length = 0;
    const payload = await bulkOk(
      other,
      full(100).map((input) => ({ ...input, companyId: other.id })),
    );
    expect(payload.createdCount).toBe(100);
    // The writes (not the payload's reads, which DataLoader batches) are one statement per table.
    const writes = env.sql.filter((s) => /^\s*(insert|update|delete)/i.test(s));
    expect(writes.length).toBeLessThanOrEqual(12);
    expect(env.sql.length).toBe(forTwo);
    expect(await countCustomers(other)).toBe(100);
    expect(await count('customer_tags', other.id)).toBe(100);
    expect(await count('customer_notes', other.id)).toBe(100);
    expect(await count('customer_addresses', other.id)).toBe(100);
    expect(await count('customer_events', other.id)).toBe(100);
    expect(await count('referral_sources', other.id)).toBe(2);
  });

  it('answers a retry under the same idempotencyKey with the first results, writing nothing', async () => {
    const company = await newCompany(env);
    const customers = [item(company, 0), item(company, 1, { phone: 'bad' }), item(company, 2)];
    const first = await bulkOk(company, customers, { idempotencyKey: 'import-1' });
    expect(first.createdCount).toBe(2);
    const again = await company.gql<{
      createCustomers: {
        createdCount: number;
        results: { customer: { id: string } | null; errors: { field: string }[] }[];
      };
    }>(
      'mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { createdCount results { customer { id } errors { field } } } }',
      { input: { companyId: company.id, customers, idempotencyKey: 'import-1' } },
    );
    expect(again.errors).toBeUndefined();
    expect(again.data!.createCustomers).toEqual({
      createdCount: 2,
      results: first.results.map((r) => ({
        customer: r.customer && { id: r.customer.id },
        errors: r.errors.map((e) => ({ field: e.field })),
      })),
    });
    expect(await countCustomers(company)).toBe(2);
    const other = await bulk(company, [item(company, 7)], { idempotencyKey: 'import-1' });
    expect(violatedFields(other)).toEqual(['input.idempotencyKey']);

    // A call that writes nothing keeps no key: the same key can be used once the batch is fixed.
    const failed = await bulkOk(company, [item(company, 8, { phone: 'bad' })], {
      idempotencyKey: 'import-2',
      mode: 'ALL_OR_NOTHING',
    });
    expect(failed.createdCount).toBe(0);
    const fixed = await bulkOk(company, [item(company, 8)], { idempotencyKey: 'import-2' });
    expect(fixed.createdCount).toBe(1);
  });

  it.runIf(isPostgres)(
    'keeps the quota exact under concurrent bulk and single creates',
    async () => {
      const app = await env.makeApp({ customerQuota: 50 });
      const company = await newCompany(env);
      const bulks = Array.from({ length: 4 }, (_, b) =>
        bulk(
          company,
          Array.from({ length: 15 }, (_, i) => item(company, b * 100 + i)),
          {},
          { app },
        ),
      );
      const singles = Array.from({ length: 20 }, (_, i) =>
        company.gql<{ createCustomer: { customer: { id: string } } }>(
          'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
          { input: item(company, 900 + i) },
          { app },
        ),
      );
      const [bulkResults, singleResults] = await Promise.all([
        Promise.all(bulks),
        Promise.all(singles),
      ]);
      const createdInBulk = bulkResults.reduce(
        (sum, r) => sum + (r.data?.createCustomers.createdCount ?? 0),
        0,
      );
      const createdAlone = singleResults.filter((r) => !r.errors).length;
      for (const r of singleResults.filter((r) => r.errors)) {
        expect(r.errors![0]!.extensions?.code).toBe('RESOURCE_EXHAUSTED');
      }
      expect(createdInBulk + createdAlone).toBe(50);
      expect(await countCustomers(company)).toBe(50);
      const [row] = rowsOf<{ n: number }>(
        await env.store.db.execute(
          sql`select customer_count as n from companies where company_id = ${company.id}`,
        ),
      );
      expect(row!.n).toBe(50);
    },
  );
});

/** The response's extensions.cost.requestedQueryCost (asserting it is there). */
function requestedCost(response: { extensions?: Record<string, unknown> }): number {
  const cost = response.extensions?.cost as { requestedQueryCost?: number } | undefined;
  expect(cost?.requestedQueryCost).toEqual(expect.any(Number));
  return cost!.requestedQueryCost!;
}

describe('createCustomers cost', () => {
  it('counts what each result selects, times the number of items', async () => {
    const company = await newCompany(env);
    const cost = async (selection: string, n: number, offset: number) => {
      const response = await company.gql(
        `mutation($input: CreateCustomersInput!) { createCustomers(input: $input) { results { customer { ${selection} } } } }`,
        {
          input: {
            companyId: company.id,
            customers: Array.from({ length: n }, (_, i) => item(company, offset + i)),
          },
        },
      );
      expect(response.errors).toBeUndefined();
      return requestedCost(response);
    };
    const single = await company.gql(
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
      { input: item(company, 99) },
    );
    const singleCost = requestedCost(single);
    // IDs only: the call costs what one create does, whatever its size.
    expect(await cost('id', 10, 0)).toBe(singleCost);
    // A page of notes per customer: that page times the items.
    expect(
      await cost('id notes(first: 5) { edges { node { id } } }', 10, 20),
    ).toBeGreaterThanOrEqual(50);
    expect(await cost('id notes(first: 5) { edges { node { id } } }', 2, 40)).toBeLessThan(50);
  });
});
