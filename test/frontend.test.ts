// What a browser frontend meets, on the real server over HTTP: the seed's flow run by urql
// (@urql/core) with automatic persisted queries, and CORS by allowlist.
import { Client, fetchExchange, gql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/lib/ids.js';
import { seedExample } from './helpers/customers.js';
import { mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import { type RunningServer, serverScratch, startServer } from './helpers/server.js';

const APP_ORIGIN = 'https://app.example.test';
const scratch = serverScratch('frontend');
let server: RunningServer;
let token: string;

/** What urql sent: whether each request carried the document or only its hash. */
const sent: { method: string; withDocument: boolean; withHash: boolean; status: number }[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(String(input instanceof Request ? input.url : input));
  const body = typeof init?.body === 'string' ? init.body : '';
  sent.push({
    method: init?.method ?? 'GET',
    withDocument: body.includes('"query"') || url.searchParams.has('query'),
    withHash:
      body.includes('sha256Hash') ||
      (url.searchParams.get('extensions') ?? '').includes('sha256Hash'),
    status: response.status,
  });
  return response;
};

function urql() {
  return new Client({
    url: `${server.url}/graphql`,
    exchanges: [
      persistedExchange({ preferGetForPersistedQueries: true, enableForMutation: true }),
      fetchExchange,
    ],
    fetch: recordingFetch,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    requestPolicy: 'network-only',
  });
}

beforeAll(async () => {
  server = await startServer({
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    CORS_ORIGINS: `${APP_ORIGIN},http://localhost:5173`,
    ...scratch.env,
  });
  token = await mintJwt({ companyId: 'cmp_001', sub: 'stf_frontend' });
}, 120_000);

afterAll(async () => {
  if (server && server.process.exitCode === null) await server.stop();
  scratch.remove();
});

const CREATE = gql`
  mutation CreateCustomer($input: CreateCustomerInput!) {
    createCustomer(input: $input) { customer { id firstName lastName phone tags { name } } }
  }
`;
const GET = gql`
  query GetCustomer($id: ID!) {
    customer(id: $id) { id firstName email complianceConfig { serviceRelatedChannels } tags { name } }
  }
`;
const UPDATE = gql`
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) { customer { id tags { name } complianceConfig { serviceRelatedChannels marketingCampaignsChannels } } }
  }
`;
const LIST = gql`
  query ListCustomers($companyId: ID!, $first: Int, $after: String, $filter: CustomerFilter) {
    customers(companyId: $companyId, first: $first, after: $after, filter: $filter) {
      edges { node { id lastUpdatedTime } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const APPEND_NOTES = gql`
  mutation AppendCustomerNotes($input: AppendCustomerNotesInput!) {
    appendCustomerNotes(input: $input) { notes { id note } }
  }
`;
const APPEND_TAGS = gql`
  mutation AppendCustomerTags($input: AppendCustomerTagsInput!) {
    appendCustomerTags(input: $input) { tags { name } }
  }
`;
const COF_LINK = gql`
  mutation GenerateCustomerCofLink($input: GenerateCustomerCofLinkInput!) {
    generateCustomerCofLink(input: $input) { link expiresTime }
  }
`;

describe('a frontend with urql and automatic persisted queries', () => {
  it("runs the seed's flow", async () => {
    const client = urql();
    const created = await client.mutation(CREATE, { input: seedExample(1) }).toPromise();
    expect(created.error).toBeUndefined();
    const id = created.data.createCustomer.customer.id as string;
    expect(created.data.createCustomer.customer).toMatchObject({
      firstName: 'John',
      phone: '+12125551234',
      tags: [{ name: 'VIP' }],
    });

    const got = await client.query(GET, { id }).toPromise();
    expect(got.error).toBeUndefined();
    expect(got.data.customer).toMatchObject({ id, email: 'john.doe@example.com' });

    const updated = await client.mutation(UPDATE, { input: { ...seedExample(2), id } }).toPromise();
    expect(updated.error).toBeUndefined();
    expect(updated.data.updateCustomer.customer).toMatchObject({
      tags: [{ name: 'Frequent Visitor' }],
      complianceConfig: {
        serviceRelatedChannels: ['COMPLIANCE_CHANNEL_SMS'],
        marketingCampaignsChannels: [],
      },
    });

    // Example 3 (1 August 2024): the customer made now is not in it.
    const example3 = seedExample(3) as { companyId: string; filter: unknown };
    const listed = await client
      .query(LIST, { companyId: example3.companyId, first: 20, filter: example3.filter })
      .toPromise();
    expect(listed.error).toBeUndefined();
    expect(
      listed.data.customers.edges.map((e: { node: { id: string } }) => e.node.id),
    ).not.toContain(id);

    const notes = await client
      .mutation(APPEND_NOTES, { input: { customerId: id, notes: [{ note: 'a' }, { note: 'b' }] } })
      .toPromise();
    expect(notes.data.appendCustomerNotes.notes.map((n: { note: string }) => n.note)).toEqual([
      'a',
      'b',
    ]);
    const tags = await client
      .mutation(APPEND_TAGS, { input: { customerId: id, tags: [{ name: 'Groomed monthly' }] } })
      .toPromise();
    expect(tags.data.appendCustomerTags.tags.map((t: { name: string }) => t.name)).toEqual([
      'Groomed monthly',
    ]);
    const link = await client.mutation(COF_LINK, { input: { customerId: id } }).toPromise();
    expect(link.error).toBeUndefined();
    expect(link.data.generateCustomerCofLink.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cof\/\S+$/);
  });

  it('sends a known document by its hash alone', async () => {
    const client = urql();
    const id = (await client.mutation(CREATE, { input: seedExample(1) }).toPromise()).data
      .createCustomer.customer.id;

    sent.length = 0;
    const first = await client.query(GET, { id }).toPromise();
    expect(first.data.customer.id).toBe(id);
    // GET was already registered by the flow above (same server): hash only, over GET.
    expect(sent).toEqual([{ method: 'GET', withDocument: false, withHash: true, status: 200 }]);

    // A document the server has never seen: hash first, refused, then hash and document.
    // Persisted documents outlive the server (the database keeps them 24 hours): a name of its own.
    sent.length = 0;
    const fresh = gql(
      `query Fresh${randomToken(10)}($id: ID!) { customer(id: $id) { id lastName } }`,
    );
    const result = await client.query(fresh, { id }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data.customer).toEqual({ id, lastName: 'Doe' });
    expect(sent.map(({ withDocument, withHash }) => ({ withDocument, withHash }))).toEqual([
      { withDocument: false, withHash: true },
      { withDocument: true, withHash: true },
    ]);

    // From then on the hash is enough.
    sent.length = 0;
    await client.query(fresh, { id }).toPromise();
    expect(sent).toEqual([{ method: 'GET', withDocument: false, withHash: true, status: 200 }]);
  });

  it('refuses a hash that does not match its document', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      }),
    });
    const body = (await response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(response.status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'PersistedQueryMismatch',
      extensions: { code: 'INVALID_ARGUMENT' },
    });
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('lets a listed origin call with credentials', async () => {
    const options = await preflight(APP_ORIGIN);
    expect(options.status).toBe(204);
    expect(options.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(options.headers.get('access-control-allow-credentials')).toBe('true');
    expect(options.headers.get('access-control-allow-methods')).toContain('POST');
    expect(options.headers.get('access-control-allow-headers')).toContain('authorization');

    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        origin: APP_ORIGIN,
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('gives any other origin nothing a browser would accept', async () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.test.evil.example',
      'null',
    ]) {
      const options = await preflight(origin);
      expect(options.headers.get('access-control-allow-origin')).toBeNull();
      expect(options.headers.get('access-control-allow-credentials')).toBeNull();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('vary')).toContain('Origin');
    }
  });
});
