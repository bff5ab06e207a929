// customerDataExport: every stored fact about one customer, checked against the tables
// themselves: each value of each of its rows (but the secrets) is in the export, and no token or
// hash is.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/repositories/sql.js';
import { createCustomer, expectCode } from './helpers/customers.js';
import { newCompany, useTestEnv } from './helpers/env.js';

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
