// The transport tells the truth: every refusal of a malformed request is JSON with a code (and a
// field where one is at fault), no parser or driver words, no mutation from a form or multipart
// body, documents too deep for the parser refused before it, NUL characters refused by path,
// long IDs cut in messages, and the HTML pages sent with their security headers.
import { describe, expect, it } from 'vitest';
import { mintJwt, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: unknown;
    errors?: {
      message: string;
      extensions?: { code?: string; fieldViolations?: { field: string }[]; [k: string]: unknown };
    }[];
  };
}

async function send(path: string, init: RequestInit = {}, token?: string): Promise<Answer> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token ?? (await mintJwt({ companyId: 'cmp_wire' }))}`);
  const response = await env.app.fetch(
    new Request(`http://localhost${path}`, { ...init, headers }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

const post = (body: string, type: string | null = 'application/json') =>
  send('/graphql', {
    method: 'POST',
    body,
    headers: type ? { 'content-type': type } : {},
  });

const only = (answer: Answer) => {
  expect(answer.body.errors, JSON.stringify(answer.body)).toHaveLength(1);
  return answer.body.errors![0]!;
};
const fields = (answer: Answer) =>
  (only(answer).extensions?.fieldViolations ?? []).map((v) => v.field);

describe('the transport', () => {
  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
  ])('answers a POST of %s with 415 and the types it accepts, running nothing', async (type) => {
    const answer = await post(
      type.startsWith('application/x-www')
        ? 'query=mutation%7B__typename%7D'
        : JSON.stringify({ query: 'mutation { __typename }' }),
      type,
    );
    expect(answer.status).toBe(415);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const error = only(answer);
    expect(error.extensions?.code).toBe('INVALID_ARGUMENT');
    expect(error.extensions?.accepted).toEqual([
      'application/json',
      'application/graphql+json',
      'application/graphql',
    ]);
    expect(answer.body.data).toBeUndefined();
  });

  it('answers invalid JSON with 400 naming the body, without the parser’s words', async () => {
    const answer = await post('{"query":');
    expect(answer.status).toBe(400);
    expect(only(answer).extensions?.code).toBe('INVALID_ARGUMENT');
    expect(fields(answer)).toEqual(['body']);
    expect(JSON.stringify(answer.body)).not.toMatch(/originalError|SyntaxError|Unexpected end/);
  });

  it('names the unknown operation, and asks for a name among several', async () => {
    const unknown = await post(
      JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    );
    expect(unknown.status).toBe(400);
    expect(only(unknown).message).toBe('The document has no operation named "B"; it defines "A".');
    expect(fields(unknown)).toEqual(['operationName']);
    const several = await post(
      JSON.stringify({ query: 'query A { __typename } query C { __typename }' }),
    );
    expect(only(several).message).toMatch(/several operations \("A", "C"\)/);
    expect(fields(several)).toEqual(['operationName']);
  });

  it('gives PUT, batching and a mutation over GET a code, pointing at no field', async () => {
    const put = await send('/graphql', {
      method: 'PUT',
      body: '{"query":"{ __typename }"}',
      headers: { 'content-type': 'application/json' },
    });
    const batch = await post('[{"query":"{ __typename }"}]');
    const getMutation = await send('/graphql?query=mutation%7B__typename%7D');
    for (const [answer, status] of [
      [put, 405],
      [batch, 400],
      [getMutation, 405],
    ] as const) {
      expect(answer.status).toBe(status);
      expect(only(answer).extensions?.code).toBe('INVALID_ARGUMENT');
      expect(fields(answer)).toEqual([]);
    }
  });

  it('refuses GET variables and extensions that are not JSON objects', async () => {
    const answer = await send(
      '/graphql?query=%7B__typename%7D&variables=notjson&extensions=%5B1%5D',
    );
    expect(answer.status).toBe(400);
    expect(fields(answer)).toEqual(['variables', 'extensions']);
  });

  it.each([
    ['selections', `${'{ a '.repeat(2000)}${'}'.repeat(2000)}`],
    ['lists', `{ customer(id: ${'['.repeat(3000)}${']'.repeat(3000)}) { id } }`],
  ])('refuses %s nested thousands deep before parsing (no stack overflow)', async (_n, query) => {
    const answer = await post(JSON.stringify({ query }));
    expect(answer.status).toBe(400);
    expect(only(answer).message).toBe('The document is nested more than 64 levels deep.');
  });

  it('refuses NUL characters in variables and literals under the argument’s path', async () => {
    const variables = await post(
      JSON.stringify({
        query: `mutation($in: AppendCustomerNotesInput!) { appendCustomerNotes(input: $in) { notes { id } } }`,
        variables: {
          in: {
            companyId: 'cmp_wire',
            customerId: 'cus_x',
            notes: [{ note: 'ok' }, { note: 'a\u0000b' }],
          },
        },
      }),
    );
    expect(only(variables).extensions?.code).toBe('INVALID_ARGUMENT');
    expect(fields(variables)).toEqual(['input.notes[1].note']);
    const literal = await post(JSON.stringify({ query: '{ customer(id: "cus_\\u0000") { id } }' }));
    expect(fields(literal)).toEqual(['id']);
  });

  it('cuts a long ID in a message', async () => {
    const id = `cus_${'x'.repeat(5000)}`;
    const answer = await post(
      JSON.stringify({ query: 'query($id: ID!) { customer(id: $id) { id } }', variables: { id } }),
    );
    expect(only(answer).extensions?.code).toBe('NOT_FOUND');
    expect(only(answer).message.length).toBeLessThan(120);
  });

  it('names the failing claim of a rejected JWT, without the token', async () => {
    const token = await mintJwt({ companyId: 'cmp_wire', audience: 'someone-else' });
    const answer = await send('/graphql?query=%7B__typename%7D', {}, token);
    expect(answer.status).toBe(401);
    expect(only(answer).message).toMatch(/"aud" claim/);
    expect(JSON.stringify(answer.body)).not.toContain(token.split('.')[1]!);
  });

  it('points GET / to the endpoints, in JSON', async () => {
    const response = await env.app.fetch(new Request('http://localhost/'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ graphql: '/graphql', health: '/healthz' });
  });

  it('answers a malformed escape in a card-on-file link as an unknown link', async () => {
    const response = await env.app.fetch(new Request('http://localhost/cof/%ff'));
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).not.toMatch(/URIError|at .*\.ts|node_modules/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('sends GraphiQL with a CSP that forbids framing, no referrer and nosniff', async () => {
    const app = await env.makeApp({ graphiql: { title: 'customer-graph' } });
    const response = await app.fetch(
      new Request('http://localhost/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
