// Concurrent appends through a real HTTP server: nothing lost, no duplicate tag or link.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../src/repositories/index.js';
import { createCustomer, getCustomer } from './helpers/customers.js';
import { isPostgres, newCompany, type TestCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(env.app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function overHttp(company: TestCompany, query: string, variables: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${company.token}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body;
}

const APPEND_NOTES =
  'mutation($i: AppendCustomerNotesInput!) { appendCustomerNotes(input: $i) { notes { id } } }';
const APPEND_TAGS =
  'mutation($i: AppendCustomerTagsInput!) { appendCustomerTags(input: $i) { tags { id name } } }';
const N = 24;

describe('concurrent appends over HTTP', () => {
  it(`lose no note among ${N} concurrent appends to one customer`, async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        overHttp(company, APPEND_NOTES, {
          i: { customerId: customer.id, notes: [{ note: `a${i}` }, { note: `b${i}` }] },
        }),
      ),
    );
    const read = await company.gql<{
      customerNotes: { totalCount: number; edges: { node: { note: string } }[] };
    }>(
      'query($id: ID!) { customerNotes(customerId: $id, first: 500) { totalCount edges { node { note } } } }',
      { id: customer.id },
    );
    const notes = read.data!.customerNotes.edges.map((e) => e.node.note).sort();
    const expected = Array.from({ length: N }, (_, i) => [`a${i}`, `b${i}`])
      .flat()
      .sort();
    expect(notes).toEqual(expected);
    expect(read.data!.customerNotes.totalCount).toBe(2 * N);
  });

  it(`create no duplicate tag or link among ${N} concurrent appends of overlapping tags`, async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        overHttp(company, APPEND_TAGS, {
          i: {
            customerId: customer.id,
            tags: [{ name: i % 2 ? 'Shared' : 'SHARED' }, { name: `own ${i}` }],
          },
        }),
      ),
    );
    const read = await getCustomer(company, customer.id);
    const names = read.data!.customer!.tags.map((t) => t.name);
    expect(names.filter((n) => n.toLowerCase() === 'shared')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(N + 1);
  });

  it(`let two customers race to create the same new tag name: one catalog tag`, async () => {
    const company = await newCompany(env);
    const one = await createCustomer(company);
    const two = await createCustomer(company);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        overHttp(company, APPEND_TAGS, {
          i: {
            customerId: i % 2 ? one.id : two.id,
            tags: [{ name: i % 3 ? 'Race Winner' : 'race winner' }],
          },
        }),
      ),
    );
    const ids = new Set(
      results.map(
        (r) =>
          (r as { data: { appendCustomerTags: { tags: { id: string }[] } } }).data
            .appendCustomerTags.tags[0]!.id,
      ),
    );
    expect(ids.size).toBe(1);
    for (const customer of [one, two]) {
      const tags = (await getCustomer(company, customer.id)).data!.customer!.tags;
      expect(tags.map((t) => t.id)).toEqual([...ids]);
    }
  });
});

describe.runIf(isPostgres)('the tag constraints alone (without the company write lock)', () => {
  it('keep one catalog tag and one link when transactions race on PostgreSQL', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    const repos = createRepositories(env.store.db, company.id);
    const now = new Date().toISOString();
    // Each transaction skips lockForWrite, so only ON CONFLICT and the unique keys stand guard.
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        repos.transaction(async (tx) => {
          const tags = await tx.tags.findOrCreateByNames(
            [i % 2 ? 'Unlocked' : 'UNLOCKED'],
            'stf_race',
            now,
          );
          await tx.tags.link(
            customer.id,
            tags.map((t) => t.id),
            'stf_race',
            now,
          );
        }),
      ),
    );
    const tags = (await getCustomer(company, customer.id)).data!.customer!.tags;
    expect(tags).toHaveLength(1);
  });
});
