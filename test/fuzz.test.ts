// Generated requests (fast-check): the seed's operations with mutated variables, broken
// documents, odd HTTP shapes, with and without credentials. For each: no 5xx, JSON wherever JSON
// is answered, every error with a code, no INTERNAL for anything a client sent, and no stack,
// SQL, driver text or file path in any body; and the process's memory stays bounded over the
// run. FUZZ_RUNS sets the number of requests (2,000 by default; `npm run fuzz -- --runs N`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedExample } from './helpers/customers.js';
import { mintJwt, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

const OPERATIONS = [
  {
    query:
      'mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id phone tags { name } notes(first: 2) { edges { node { note } } } } } }',
    variables: { input: seedExample(1) },
  },
  {
    query:
      'mutation Update($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id firstName } } }',
    variables: { input: { ...seedExample(2), id: 'cus_AAAAAAAAAAAAAAAA' } },
  },
  {
    query:
      'mutation Notes($input: AppendCustomerNotesInput!) { appendCustomerNotes(input: $input) { notes { id } } }',
    variables: { input: { customerId: 'cus_AAAAAAAAAAAAAAAA', notes: [{ note: 'Hi.' }] } },
  },
  {
    query:
      'mutation Tags($input: AppendCustomerTagsInput!) { appendCustomerTags(input: $input) { tags { id name } } }',
    variables: { input: { customerId: 'cus_AAAAAAAAAAAAAAAA', tags: [{ name: 'VIP' }] } },
  },
  {
    query:
      'query List($c: ID!, $first: Int, $after: String, $filter: CustomerFilter) { customers(companyId: $c, first: $first, after: $after, filter: $filter) { edges { cursor node { id } } pageInfo { endCursor } } }',
    variables: {
      c: 'cmp_001',
      first: 10,
      after: null,
      filter: { mainPhoneNumber: '+12125551234' },
    },
  },
  {
    query:
      'query One($id: ID!) { customer(id: $id) { id notes(first: 3) { totalCount } } node(id: $id) { id } }',
    variables: { id: 'cus_AAAAAAAAAAAAAAAA' },
  },
  {
    query: 'query Many($ids: [ID!]!) { nodes(ids: $ids) { id } customersByIds(ids: $ids) { id } }',
    variables: { ids: ['cus_AAAAAAAAAAAAAAAA', 'cxn_x'] },
  },
];

/** Values a client might send anywhere: odd strings (NUL, long, unicode), numbers, shapes. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    'x'.repeat(20_000),
    '+1',
    '',
    ' ',
    '💥',
    'cus_',
    "'; drop table customers; --",
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 501, 2 ** 31, -(2 ** 53)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** The value with one leaf (chosen by `path`) replaced by `replacement`. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [step, ...rest] = path;
  const index = (step ?? 0) % entries.length;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<
    string | number,
    unknown
  >;
  const [key, child] = entries[index]!;
  copy[key] = mutate(child, rest, replacement);
  return copy;
}

interface Shape {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const credential = fc.constantFrom('valid', 'none', 'garbage', 'key');

const mutatedOperation = fc
  .record({
    op: fc.constantFrom(...OPERATIONS),
    path: fc.array(fc.nat(8), { maxLength: 5 }),
    replacement: oddValue,
    get: fc.boolean(),
  })
  .map(({ op, path, replacement, get }) => {
    const variables = mutate(op.variables, path, replacement);
    return get && op.query.startsWith('query')
      ? {
          method: 'GET',
          path: `/graphql?query=${encodeURIComponent(op.query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`,
          headers: {},
        }
      : {
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: op.query, variables }),
        };
  });

const brokenDocument = fc
  .oneof(
    fc.string(),
    fc
      .constantFrom(...OPERATIONS.map((o) => o.query))
      .chain((q) => fc.nat(q.length).map((n) => q.slice(0, n))),
    fc.nat(3000).map((n) => `${'{ a '.repeat(n)}${'}'.repeat(n)}`),
    fc
      .array(
        fc.constantFrom('{', '}', '(', ')', '[', ']', '$', '...', 'query', 'x', ':', '"', '#', '@'),
        {
          maxLength: 60,
        },
      )
      .map((tokens) => tokens.join(' ')),
  )
  .map((query) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: {} }),
  }));

const oddHttp = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  path: fc.constantFrom(
    '/graphql',
    '/graphql?query=%7B__typename%7D&variables=%7B',
    '/graphql?extensions=%5B%5D&query=%7B__typename%7D',
    '/cof/%ff',
    '/cof/abc',
    '/',
    '/readyz',
    '/nope',
    '/graphql/../graphql',
  ),
  headers: fc.record({
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/graphql',
      'application/json; charset=latin1',
    ),
    accept: fc.constantFrom(
      'application/json',
      'text/html',
      'application/graphql-response+json',
      '*/*',
    ),
  }),
  body: fc.oneof(
    fc.string(),
    fc.constantFrom(
      '[]',
      '[{"query":"{__typename}"}]',
      '{"query":1}',
      'null',
      '{"query":"{ __typename }","variables":"x"}',
    ),
  ),
});

const request = fc.record({
  shape: fc.oneof(
    { weight: 4, arbitrary: mutatedOperation },
    brokenDocument,
    oddHttp,
  ) as fc.Arbitrary<Shape>,
  credential,
});

const LEAK =
  /\bat [\w.<>]+ \(|node_modules|\/work\/|\.ts:\d+|\bselect\b.*\bfrom\b|\binsert into\b|postgres\.js|PostgresError|PGlite|DrizzleQueryError|SyntaxError/i;

describe('fuzzed requests', () => {
  it(`answer ${RUNS} generated requests with codes, no 5xx, no leak, bounded memory`, async () => {
    const tokens = {
      valid: `Bearer ${await mintJwt({ companyId: 'cmp_001' })}`,
      none: '',
      garbage: 'Bearer not.a.token',
      key: `Bearer ck_${'x'.repeat(40)}`,
    } as const;
    const rssAt: number[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ shape, credential: kind }) => {
        n += 1;
        if (n === Math.min(200, RUNS)) rssAt.push(process.memoryUsage().rss);
        const headers = new Headers(shape.headers);
        if (tokens[kind]) headers.set('authorization', tokens[kind]);
        const withBody = shape.method !== 'GET' && shape.method !== 'HEAD';
        const response = await env.app.fetch(
          new Request(`http://localhost${shape.path}`, {
            method: shape.method,
            headers,
            ...(withBody && shape.body !== undefined ? { body: shape.body } : {}),
          }),
        );
        const text = await response.text();
        const what = `${shape.method} ${shape.path.slice(0, 200)} ${String(shape.body).slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`;
        expect(response.status, what).toBeLessThan(500);
        // GraphiQL's page is a static bundle of JavaScript; every other answer is checked.
        if (
          !response.headers.get('content-type')?.startsWith('text/html') ||
          shape.path.startsWith('/cof')
        ) {
          expect(text, what).not.toMatch(LEAK);
        }
        if (response.headers.get('content-type')?.includes('json') && text) {
          const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
          for (const error of body.errors ?? []) {
            expect(error.extensions?.code, what).toMatch(/^[A-Z_]+$/);
            expect(error.extensions?.code, what).not.toBe('INTERNAL');
          }
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    rssAt.push(process.memoryUsage().rss);
    const [warm, end] = rssAt;
    const MiB = 1024 * 1024;
    console.log(
      JSON.stringify({
        runs: RUNS,
        rssAfterWarmUpMiB: Math.round(warm! / MiB),
        rssEndMiB: Math.round(end! / MiB),
      }),
    );
    // Bounded: within 1.5x of the level after warm-up (plus a little for short runs).
    expect(end!).toBeLessThan(warm! * 1.5 + 32 * MiB);
  }, 600_000);
});
