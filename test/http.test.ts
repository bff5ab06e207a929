// The real server over real HTTP: what `npm start` serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintJwt, TEST_JWT_SECRET } from './helpers/env.js';
import {
  devKeyOf,
  exitOf,
  type RunningServer,
  runMain,
  serverScratch,
  startServer,
} from './helpers/server.js';

const scratch = serverScratch('http');
const serverEnv: Record<string, string> = { AUTH_JWT_SECRET: TEST_JWT_SECRET, ...scratch.env };

let server: RunningServer;
let devKey: string;

beforeAll(async () => {
  server = await startServer(serverEnv);
  devKey = devKeyOf(server);
}, 120_000);

afterAll(async () => {
  if (server.process.exitCode === null) await server.stop();
  scratch.remove();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('the server over HTTP', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('without CORS_ORIGINS sends no CORS headers and no Vary (nothing depends on the origin)', async () => {
    const origin = 'https://app.example.test';
    const preflight = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await post(
      { query: '{ __typename }' },
      { origin, authorization: `Bearer ${devKey}` },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('prints a development key for cmp_001 that works at once', async () => {
    expect(devKey).toMatch(/^ck_/);
    const response = await post(
      {
        query: 'query($c: ID!) { customers(companyId: $c, first: 1) { totalCount } }',
        variables: { c: 'cmp_001' },
      },
      { authorization: `Bearer ${devKey}` },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
  });

  it('serves GraphiQL to a browser with the development key in its headers', async () => {
    expect(devKey).toMatch(/^ck_/);
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>customer-graph</title>');
    expect(html).toContain(devKey);
    expect(html).toContain('mutation CreateCustomer');
  });

  it('runs queries over GET and refuses mutations over GET', async () => {
    const token = await mintJwt({ companyId: 'cmp_http' });
    const query = encodeURIComponent('{ customersByIds(ids: []) { id } }');
    const get = await fetch(`${server.url}/graphql?query=${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/graphql-response+json' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ data: { customersByIds: [] } });
    const mutation = encodeURIComponent(
      'mutation { updateCustomer(input: { id: "x", companyId: "y" }) { customer { id } } }',
    );
    const refused = await fetch(`${server.url}/graphql?query=${mutation}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/graphql-response+json' },
    });
    expect(refused.status).toBe(405);
  });

  it('answers 401 with WWW-Authenticate and UNAUTHENTICATED without a credential', async () => {
    const response = await post({ query: '{ customersByIds(ids: []) { id } }' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it("records the client's socket address and user agent in the consent audit trail", async () => {
    const token = await mintJwt({ companyId: 'cmp_http', sub: 'stf_http' });
    const headers = {
      authorization: `Bearer ${token}`,
      'user-agent': 'http-test/1.0',
      'x-forwarded-for': '198.51.100.9',
    };
    const created = await post(
      {
        query: `mutation { createCustomer(input: { companyId: "cmp_http", preferredBusinessId: "b", firstName: "A",
          lastName: "B", phone: "+12125551234", complianceConfig: { isConsented: true } }) {
          customer { complianceHistory(first: 10) { edges { node { field ip userAgent actor } } } } } }`,
      },
      headers,
    );
    const body = (await created.json()) as {
      data: {
        createCustomer: {
          customer: { complianceHistory: { edges: { node: Record<string, string> }[] } };
        };
      };
    };
    const nodes = body.data.createCustomer.customer.complianceHistory.edges.map((e) => e.node);
    expect(nodes).toHaveLength(5);
    // TRUST_PROXY is off: the forwarded address is not believed, the socket's is recorded.
    for (const node of nodes) {
      expect(node).toMatchObject({
        ip: '127.0.0.1',
        userAgent: 'http-test/1.0',
        actor: 'stf_http',
      });
    }
  });

  it('echoes a request ID, or makes one', async () => {
    const token = await mintJwt({ companyId: 'cmp_http' });
    const query = { query: '{ customersByIds(ids: []) { id } }' };
    const echoed = await post(query, {
      authorization: `Bearer ${token}`,
      'x-request-id': 'abc-123',
    });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const made = await post(query, {
      authorization: `Bearer ${token}`,
      'x-request-id': 'no spaces <allowed>',
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.skipIf(Boolean(process.env.DATABASE_URL))(
    'refuses at once to open a PGlite folder another process serves, naming it',
    async () => {
      const second = runMain({ ...serverEnv, PORT: '0' });
      let stderr = '';
      second.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      expect(await exitOf(second)).toBe(1);
      expect(stderr).toContain(`is in use by process ${server.process.pid}`);
      expect(stderr).not.toMatch(/\n\s+at /);
      // The first one still serves.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
    60_000,
  );

  it('stops on SIGTERM with exit code 0, and reuses its development key on the next start', async () => {
    expect(await server.stop()).toBe(0);
    const again = await startServer(serverEnv);
    try {
      expect(again.stdout()).toContain(devKey);
      expect(again.stdout()).not.toContain('(new)');
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 120_000);
});

describe('configuration', () => {
  it.each([
    ['PORT', 'eighty', /PORT must be an integer/],
    ['DATABASE_URL', 'mysql://localhost/x', /DATABASE_URL must start with postgres/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['CUSTOMER_QUOTA', '-1', /CUSTOMER_QUOTA must be an integer/],
    ['PUBLIC_BASE_URL', 'ftp://x', /PUBLIC_BASE_URL must be an absolute http\(s\) URL/],
  ])('stops the process with one clear line when %s is bad', async (name, value, message) => {
    const child = runMain({ [name]: value });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    expect(await exitOf(child)).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe.runIf(process.env.DATABASE_URL)('WORKERS=2 (node:cluster, PostgreSQL)', () => {
  it('serves from two processes on one port and stops on SIGTERM', async () => {
    const workers = await startServer({
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: process.env.DATABASE_URL!,
      NODE_ENV: 'production',
      WORKERS: '2',
    });
    try {
      expect(workers.stderr()).toContain('"workers":2');
      const token = await mintJwt({ companyId: 'cmp_workers' });
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${workers.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ customersByIds(ids: []) { id } }' }),
          }).then((r) => r.json()),
        ),
      );
      for (const body of responses) expect(body).toMatchObject({ data: { customersByIds: [] } });
    } finally {
      expect(await workers.stop()).toBe(0);
    }
  }, 120_000);
});
