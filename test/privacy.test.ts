// customerDataExport: every stored fact about one customer, checked against the tables
// themselves: each value of each of its rows (but the secrets) is in the export, and no token or
// hash is. eraseCustomer: afterwards no personal value of the customer is left in any table
// (events included), the row is a tombstone, the consent trail keeps its decisions, a second
// erasure changes nothing, every later change is FAILED_PRECONDITION, and the quota slot is free.

import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/repositories/sql.js';
import { createCustomer, expectCode, minimalInput, updateCustomer } from './helpers/customers.js';
import { newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const EXPORT = /* GraphQL */ `
  query($id: ID!) {
    customerDataExport(id: $id) {
      customerId generatedTime customer notes tags complianceHistory events cardOnFileLinks
    }
  }
`;
const LINK = `mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link } }`;

/** The tables that hold a customer's rows, and the columns an export must not show. */
const TABLES: [string, string[]][] = [
  ['customer_addresses', []],
  ['customer_notes', []],
  ['customer_tags', []],
  ['compliance_changes', []],
  ['customer_events', []],
  ['cof_links', ['token_hash']],
];

/** Every scalar inside a JSON value, as text. */
function scalars(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) for (const v of value) scalars(v, out);
  else if (typeof value === 'object')
    for (const v of Object.values(value as object)) scalars(v, out);
  else out.add(String(value));
  return out;
}

/** A stored value as the export writes it (times as RFC 3339 in UTC, microseconds kept). */
const asExported = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d/.test(value)
    ? new Date(value).toISOString().slice(0, 19)
    : String(value);

describe('customerDataExport', () => {
  it('holds every stored value of the customer, and no secret', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company, {
      email: 'ada@example.com',
      address: { address1: '1 Main St', city: 'Springfield', country: 'US', postalCode: '12345' },
      notes: [{ note: 'Prefers mornings.' }],
      tags: [{ name: 'VIP' }],
      complianceConfig: { isConsented: true },
      source: 'Walk-in',
    });
    const link = await company.gql<{ generateCustomerCofLink: { link: string } }>(LINK, {
      input: { customerId: customer.id },
    });
    const token = link.data!.generateCustomerCofLink.link.split('/').at(-1)!;

    const response = await company.gql<{ customerDataExport: Record<string, unknown> }>(EXPORT, {
      id: customer.id,
    });
    expect(response.errors).toBeUndefined();
    const exported = response.data!.customerDataExport;
    const text = JSON.stringify(exported);
    const found = new Set([...scalars(exported)].map(asExported));

    const stored: [string, Record<string, unknown>][] = [];
    const [row] = rowsOf<Record<string, unknown>>(
      await env.store.db.execute(
        sql`select * from customers where company_id = ${company.id} and id = ${customer.id}`,
      ),
    );
    for (const [column, value] of Object.entries(row!)) {
      if (['search_text', 'phone_digits', 'company_id'].includes(column)) continue;
      stored.push([`customers.${column}`, { value }]);
    }
    for (const [table, secret] of TABLES) {
      const rows = rowsOf<Record<string, unknown>>(
        await env.store.db.execute(
          sql`select * from ${sql.identifier(table)} where company_id = ${company.id} and customer_id = ${customer.id}`,
        ),
      );
      expect(rows.length, table).toBeGreaterThan(0);
      for (const r of rows) {
        for (const [column, value] of Object.entries(r)) {
          if (column === 'company_id' || secret.includes(column)) continue;
          stored.push([`${table}.${column}`, { value }]);
        }
      }
    }
    const missing = stored.flatMap(([where, { value }]) =>
      [...scalars(value)].map(asExported).every((v) => found.has(v)) ? [] : [where],
    );
    expect(missing).toEqual([]);

    // The tag's name comes with it; the link's status; never the token or its hash.
    expect(text).toContain('VIP');
    expect(exported.cardOnFileLinks).toMatchObject([{ status: 'VALID' }]);
    expect(text).not.toContain(token);
    expect(text).not.toContain('tokenHash');
    expect(text).not.toContain('searchText');
  });

  it('is NOT_FOUND for an unknown customer', async () => {
    const company = await newCompany(env);
    expectCode(await company.gql(EXPORT, { id: 'cus_unknown' }), 'NOT_FOUND');
  });
});

const ERASE = `mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) { erasedCustomerId erasedTime } }`;
const TOMBSTONE = /* GraphQL */ `
  query($id: ID!) {
    customer(id: $id) {
      firstName lastName phone email avatar deleted status version
      address { address1 } notes(first: 5) { totalCount } tags { id }
      complianceHistory(first: 50) { totalCount edges { node { field newValue } } }
      history(first: 50) { edges { node { type } } }
    }
  }
`;

async function eraser(company: TestCompany) {
  return newCompany(env, { id: company.id, scope: 'customers:erase' });
}

/** Every table's rows that hold one of `values`, as "table: value". */
async function tablesHolding(values: string[]): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(
    await env.store.db.execute(
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    ),
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = rowsOf<{ row: string }>(
      await env.store.db.execute(
        sql`select row_to_json(t)::text as row from ${sql.identifier(name)} t`,
      ),
    );
    for (const value of values) {
      if (rows.some((r) => r.row.toLowerCase().includes(value.toLowerCase()))) {
        found.push(`${name}: ${value}`);
      }
    }
  }
  return found;
}

describe('eraseCustomer', () => {
  it('leaves no personal value in any table, and a tombstone with its consent trail', async () => {
    const company = await newCompany(env);
    const mark = randomBytes(4).toString('hex');
    const personal = {
      firstName: `Zenobia${mark}`,
      lastName: `Quartermaine${mark}`,
      email: `zq${mark}@example.org`,
      avatarPath: `https://img.example.org/${mark}.png`,
      address: { address1: `${mark} Quince Lane`, city: `Quarton${mark}`, country: 'US' },
      notes: [{ note: `Allergic to hazelnuts ${mark}` }],
      tags: [{ name: 'VIP' }],
      complianceConfig: { isConsented: true },
    };
    const customer = await createCustomer(company, personal);
    // Old values in the events too: a rename and another note.
    expect(
      (await updateCustomer(company, { id: customer.id, firstName: `Zed${mark}` })).errors,
    ).toBeUndefined();
    await company.gql(
      `mutation($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { customer { id } } }`,
      { input: { customerId: customer.id, notes: [{ note: `Second note ${mark}` }] } },
    );
    await company.gql(
      `mutation($input: GenerateCustomerCofLinkInput!) { generateCustomerCofLink(input: $input) { link } }`,
      { input: { customerId: customer.id } },
    );
    const values = [
      personal.firstName,
      personal.lastName,
      `Zed${mark}`,
      personal.email,
      personal.avatarPath,
      personal.address.address1,
      personal.address.city,
      personal.notes[0]!.note,
      `Second note ${mark}`,
    ];
    expect((await tablesHolding(values)).length).toBeGreaterThan(0);
    const before = await company.gql<{ customer: { complianceHistory: { totalCount: number } } }>(
      TOMBSTONE,
      { id: customer.id },
    );

    const erasing = await eraser(company);
    const erased = await erasing.gql<{ eraseCustomer: { erasedTime: string } }>(ERASE, {
      input: { id: customer.id, reason: 'ticket GDPR-17' },
    });
    expect(erased.errors).toBeUndefined();
    expect(await tablesHolding(values)).toEqual([]);

    const after = await company.gql<{ customer: Record<string, unknown> }>(TOMBSTONE, {
      id: customer.id,
    });
    expect(after.errors).toBeUndefined();
    expect(after.data?.customer).toMatchObject({
      firstName: 'Erased',
      lastName: 'Customer',
      email: null,
      avatar: null,
      deleted: true,
      status: 'INACTIVE',
      address: [],
      notes: { totalCount: 0 },
      tags: [],
    });
    // The consent trail keeps every decision.
    const trail = after.data!.customer.complianceHistory as {
      totalCount: number;
      edges: { node: { field: string; newValue: unknown } }[];
    };
    expect(trail.totalCount).toBe(before.data!.customer.complianceHistory.totalCount);
    expect(trail.edges.map((e) => e.node)).toContainEqual(
      expect.objectContaining({ newValue: true }),
    );
    const types = (after.data!.customer.history as { edges: { node: { type: string } }[] }).edges;
    expect(types.filter((e) => e.node.type === 'CUSTOMER_ERASED')).toHaveLength(1);

    // Twice: the same answer, nothing written.
    const again = await erasing.gql<{ eraseCustomer: { erasedTime: string } }>(ERASE, {
      input: { id: customer.id, reason: 'ticket GDPR-17' },
    });
    expect(again.data?.eraseCustomer.erasedTime).toBe(erased.data?.eraseCustomer.erasedTime);
    const twice = await company.gql<{ customer: { history: { edges: unknown[] } } }>(TOMBSTONE, {
      id: customer.id,
    });
    expect(twice.data?.customer.history.edges).toHaveLength(types.length);

    // Every change after it is refused.
    expectCode(
      await updateCustomer(company, { id: customer.id, firstName: 'Back' }),
      'FAILED_PRECONDITION',
    );
    expectCode(
      await company.gql(
        `mutation($input: RestoreCustomerInput!) { restoreCustomer(input: $input) { customer { id } } }`,
        { input: { id: customer.id } },
      ),
      'FAILED_PRECONDITION',
    );
  });

  it('frees the quota slot, and wants a reason', async () => {
    const app = await env.makeApp({ customerQuota: 1 });
    const company = await newCompany(env);
    const create = () =>
      company.gql<{ createCustomer: { customer: { id: string } } }>(
        `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`,
        { input: minimalInput(company.id) },
        { app },
      );
    const first = await create();
    expectCode(await create(), 'RESOURCE_EXHAUSTED');
    const erasing = await eraser(company);
    const id = first.data!.createCustomer.customer.id;
    const blank = await erasing.gql(ERASE, { input: { id, reason: '  ' } }, { app });
    expect(expectCode(blank, 'INVALID_ARGUMENT').extensions?.fieldViolations).toEqual([
      expect.objectContaining({ field: 'input.reason' }),
    ]);
    const done = await erasing.gql(ERASE, { input: { id, reason: 'ticket 9' } }, { app });
    if (done.errors) console.log('LOGS', env.logs.slice(-3).join('\n'));
    expect(done.errors).toBeUndefined();
    expect((await create()).errors).toBeUndefined();
  });
});
