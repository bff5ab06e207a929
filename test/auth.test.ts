import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../src/auth/authenticator.js';
import type { App } from '../src/http/app.js';
import { apiKeyRepository } from '../src/repositories/api-key.js';
import { apiKeyService } from '../src/services/api-key.js';
import { CREATE_CUSTOMER, createCustomer, expectCode, minimalInput } from './helpers/customers.js';
import { graphql, mintJwt, newCompany, TEST_AUDIENCE, useTestEnv } from './helpers/env.js';

const env = useTestEnv();
const QUERY = '{ customersByIds(ids: []) { id } }';

async function unauthenticated(token: string | null, headers: Record<string, string> = {}) {
  const response = await graphql(env.app, QUERY, undefined, { token, headers });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  return expectCode(response, 'UNAUTHENTICATED');
}

describe('JWT credentials (HS256)', () => {
  it('accept a valid token', async () => {
    const response = await graphql(env.app, QUERY, undefined, {
      token: await mintJwt({ companyId: 'cmp_a' }),
    });
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it('refuse a request without a credential, or with another scheme', async () => {
    await unauthenticated(null);
    await unauthenticated(null, { authorization: 'Basic dXNlcjpwYXNz' });
    await unauthenticated('not.a.jwt');
  });

  it.each([
    ['an expired token', { expiresIn: -60 }],
    ['a token without exp', { expiresIn: null }],
    ['a token for another audience', { audience: 'someone-else' }],
    ['a token without audience', { audience: null }],
    [
      'a token signed with another secret',
      { secret: 'another-secret-of-at-least-32-characters!!' },
    ],
    ['a token signed with HS512 (algorithms are pinned)', { alg: 'HS512' }],
    ['a token without company_id', { companyId: null }],
    ['a token without sub', { sub: null }],
  ])('refuse %s', async (_name, options) => {
    await unauthenticated(await mintJwt(options));
  });

  it('refuse an unsigned token (alg none)', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      sub: 'stf_x',
      company_id: 'cmp_a',
      aud: TEST_AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 3600,
      scope: 'customers:read customers:write',
    })}.`;
    await unauthenticated(token);
  });

  it('grant only the scopes the token names', async () => {
    const none = await newCompany(env, { scope: '' });
    expectCode(await none.gql(QUERY), 'PERMISSION_DENIED');
    const reader = await newCompany(env, { scope: 'customers:read' });
    expect((await reader.gql(QUERY)).errors).toBeUndefined();
    expectCode(
      await reader.gql(CREATE_CUSTOMER, { input: minimalInput(reader.id) }),
      'PERMISSION_DENIED',
    );
  });

  it('write the token subject as createdBy and lastUpdatedBy', async () => {
    const company = await newCompany(env);
    const customer = await createCustomer(company);
    expect(customer).toMatchObject({ createdBy: company.staffId, lastUpdatedBy: company.staffId });
  });
});

describe('API keys', () => {
  it('authenticate by the key, act as the key ID, and stop working once revoked', async () => {
    const keys = apiKeyService(apiKeyRepository(env.store.db));
    const companyId = `cmp_key${Date.now()}`;
    const { key, row } = await keys.create({
      companyId,
      scopes: ['customers:read', 'customers:write'],
    });
    expect(key).toMatch(/^ck_[A-Za-z0-9]{40}$/);
    expect(row.keyHash).not.toContain(key);
    const response = await graphql<{ createCustomer: { customer: { createdBy: string } } }>(
      env.app,
      CREATE_CUSTOMER,
      { input: minimalInput(companyId) },
      { token: key },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.createCustomer.customer.createdBy).toBe(row.id);
    await keys.revoke(row.id);
    await unauthenticated(key);
  });

  it('refuse an unknown key and keys with unknown scopes', async () => {
    await unauthenticated('ck_unknownunknownunknownunknownunknownunkno');
    const keys = apiKeyService(apiKeyRepository(env.store.db));
    await expect(
      keys.create({ companyId: 'cmp_a', scopes: ['customers:admin'] }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('JWT credentials through a JWKS (RS256, ES256)', () => {
  let server: Server;
  let jwksUrl: string;
  const keys: Record<string, CryptoKey> = {};

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    keys.RS256 = rsa.privateKey;
    keys.ES256 = ec.privateKey;
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256', use: 'sig' },
      ],
    };
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const jwksApp = () =>
    env.makeApp({
      authenticate: createAuthenticator({
        jwtSecret: null,
        jwksUrl,
        audience: TEST_AUDIENCE,
        apiKeys: apiKeyRepository(env.store.db),
      }),
    });

  async function sign(alg: 'RS256' | 'ES256', kid: string, key: CryptoKey) {
    return new SignJWT({ company_id: 'cmp_jwks', scope: 'customers:read' })
      .setProtectedHeader({ alg, kid })
      .setSubject('stf_jwks')
      .setAudience(TEST_AUDIENCE)
      .setExpirationTime('5m')
      .sign(key);
  }

  it.each(['RS256', 'ES256'] as const)(
    'accept a %s token signed by a key of the set',
    async (alg) => {
      const app = await jwksApp();
      const token = await sign(alg, alg === 'RS256' ? 'rsa' : 'ec', keys[alg]!);
      const response = await graphql(app, QUERY, undefined, { token });
      expect(response.errors).toBeUndefined();
    },
  );

  it('refuse a token signed by a key outside the set, and HS256 when no secret is configured', async () => {
    const app = await jwksApp();
    const stranger = await generateKeyPair('RS256');
    const forged = await sign('RS256', 'rsa', stranger.privateKey);
    for (const token of [forged, await mintJwt({ companyId: 'cmp_jwks' })]) {
      const response = await graphql(app, QUERY, undefined, { token });
      expect(response.status).toBe(401);
      expectCode(response, 'UNAUTHENTICATED');
    }
  });
});

describe('an anonymous request', () => {
  it('stops at the door with 401 and learns nothing about the schema', async () => {
    for (const query of [
      '{ custome(id: "x") { id } }',
      '{ __schema { types { name } } }',
      '{ customer(id: "x") { firstNam } }',
      'not a document',
    ]) {
      const response = await graphql(env.app, query);
      expect(response.status).toBe(401);
      expect(response.errors).toEqual([
        { message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } },
      ]);
      expect(JSON.stringify(response.errors)).not.toMatch(/customer|did you mean|syntax/i);
    }
  });

  it('registers no persisted query and is charged no cost', async () => {
    const query =
      '{ customers(companyId: "cmp_apq", first: 500) { edges { node { notes(first: 500) { totalCount } } } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persisted = { persistedQuery: { version: 1, sha256Hash } };
    const post = (body: unknown, token?: string) =>
      env.app.fetch(
        new Request('http://localhost/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        }),
      );
    // Over the cost limit and with a document to register: the door answers first.
    const anonymous = await post({ query, extensions: persisted });
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    const byHash = await post({ extensions: persisted }, await mintJwt({ companyId: 'cmp_apq' }));
    const known = (await byHash.json()) as { errors: { extensions: { code: string } }[] };
    expect(known.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('field suggestions', () => {
  const misspelt = async (app: App) => {
    const token = await mintJwt({ companyId: 'cmp_a' });
    return [
      await graphql(app, '{ custome(id: "x") { id } }', undefined, { token }),
      await graphql(app, '{ customers(companyId: "cmp_a", firs: 5) { totalCount } }', undefined, {
        token,
      }),
      await graphql(
        app,
        'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }',
        { i: { ...minimalInput('cmp_a'), address: { address1: 'x', type: 'PRIMARI' } } },
        { token },
      ),
    ];
  };

  it('name the schema outside production', async () => {
    for (const response of await misspelt(env.app)) {
      expect(response.errors?.[0]?.message).toMatch(/Did you mean/);
    }
  });

  it('are off in production, for every caller, in messages and field violations alike', async () => {
    for (const response of await misspelt(await env.makeApp({ fieldSuggestions: false }))) {
      expect(response.errors?.[0]?.extensions?.code).toBe('INVALID_ARGUMENT');
      expect(JSON.stringify(response.errors)).not.toMatch(
        /did you mean|PRIMARY|"first"|"customer"/i,
      );
    }
  });
});
