// The number of SQL statements a query costs is bounded by its shape, never by its rows.
import { describe, expect, it } from 'vitest';
import { seedCompany } from '../src/db/seed.js';
import { newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const NESTED = /* GraphQL */ `
  query($c: ID!, $first: Int) {
    customers(companyId: $c, first: $first) {
      edges { node {
        id firstName
        address { address1 type }
        tags { name }
        notes(first: 5) { edges { node { id note } } }
        referralSource { name }
      } }
    }
  }
`;

describe('statements per request', () => {
  it('stay the same for 1, 50, 100 and 500 customers with address, tags, notes(first: 5), referralSource', async () => {
    const company = await newCompany(env);
    await seedCompany(env.store.db, { companyId: company.id, customers: 500 });
    const counts: Record<number, number> = {};
    for (const first of [1, 50, 100, 500]) {
      env.sql.length = 0;
      env.charges.length = 0;
      const response = await company.gql<{
        customers: {
          edges: { node: { tags: unknown[]; notes: { edges: unknown[] }; address: unknown[] } }[];
        };
      }>(NESTED, { c: company.id, first });
      expect(response.errors).toBeUndefined();
      const edges = response.data!.customers.edges;
      expect(edges).toHaveLength(first);
      // The rows are really there: the count is not low because the nested lists are empty.
      expect(edges.every((e) => e.node.tags.length === 3 && e.node.notes.edges.length === 5)).toBe(
        true,
      );
      expect(edges.every((e) => e.node.address.length === 1)).toBe(true);
      counts[first] = env.sql.length;
      // And one statement charges the document's cost to the credential's bucket.
      expect(env.charges).toHaveLength(1);
    }
    expect(new Set(Object.values(counts)).size).toBe(1);
    // customers, addresses, tags, notes (one LATERAL statement), referral sources.
    expect(counts[500]).toBe(5);
  });

  it('share one statement between aliases of notes with the same arguments', async () => {
    const company = await newCompany(env);
    await seedCompany(env.store.db, { companyId: company.id, customers: 20 });
    env.sql.length = 0;
    const response = await company.gql(
      `query($c: ID!) { customers(companyId: $c, first: 20) { edges { node {
        a: notes(first: 2) { edges { node { id } } }
        b: notes(first: 2) { edges { node { id } } }
        c: notes(first: 3) { edges { node { id } } }
      } } } }`,
      { c: company.id },
    );
    expect(response.errors).toBeUndefined();
    // One for the customers, one per distinct argument set of notes.
    expect(env.sql).toHaveLength(3);
  });
});
