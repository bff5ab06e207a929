import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { openStore } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';
import { CREATE_CUSTOMER, expectCode, minimalInput, violatedFields } from './helpers/customers.js';
import { postgresTestConfig } from './helpers/database.js';
import { graphql, mintJwt, newCompany, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

describe('errors', () => {
  it('mask an unexpected failure as INTERNAL with the request ID, and log its cause with that ID', async () => {
    // A failure no rule knows: a bug, with a message that must not reach the client.
    const db = new Proxy(env.store.db, {
      get(target, key, receiver) {
        if (key !== 'transaction') return Reflect.get(target, key, receiver);
        return () => {
          throw new TypeError("Cannot read properties of undefined (reading 'x') at /app/src/x.ts");
        };
      },
    });
    const logs: string[] = [];
    const app = await env.makeApp({
      store: { ...env.store, db },
      logger: createLogger('warn', (line) => logs.push(line)),
    });
    const token = await mintJwt({ companyId: 'cmp_broken' });
    const response = await graphql(
      app,
      CREATE_CUSTOMER,
      { input: minimalInput('cmp_broken') },
      { token, headers: { 'x-request-id': 'req-test-123' } },
    );
    const error = expectCode(response, 'INTERNAL');
    expect(error.extensions?.requestId).toBe('req-test-123');
    expect(response.headers.get('x-request-id')).toBe('req-test-123');
    expect(JSON.stringify(response)).not.toMatch(/reading|stack|at .*\.ts|TypeError/i);
    const logged = logs.find((line) => line.includes('"requestId":"req-test-123"'));
    expect(logged).toContain('"level":"error"');
    // The log has the cause itself, not a failure of the masking.
    expect(logged).toContain("Cannot read properties of undefined (reading 'x')");
  });

  it('answer UNAVAILABLE (503, Retry-After) when the database is gone, and say so at /readyz', async () => {
    // A store that is closed fails every statement, the way a lost database would.
    const url = process.env.DATABASE_URL;
    const broken = url
      ? await openStore(postgresTestConfig(1))
      : await openStore(
          { kind: 'pglite', dataDir: null },
          { pgliteTemplate: new Blob([readFileSync(inject('pgliteTemplate')!)]) },
        );
    await broken.close();
    const logs: string[] = [];
    const app = await env.makeApp({
      store: broken,
      logger: createLogger('warn', (line) => logs.push(line)),
    });
    const token = await mintJwt({ companyId: 'cmp_broken' });
    const response = await graphql(
      app,
      CREATE_CUSTOMER,
      { input: minimalInput('cmp_broken') },
      {
        token,
      },
    );
    expectCode(response, 'UNAVAILABLE');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(JSON.stringify(response)).not.toMatch(
      /select|insert|companies|stack|closed|PGlite|postgres/i,
    );
    // Readiness says so, without the cause: that goes to the log.
    const ready = await app.fetch(new Request('http://localhost/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'database unavailable' });
    expect(logs.some((line) => line.includes('readiness check failed'))).toBe(true);
    // Known down now: the next request is refused before it runs.
    const again = await graphql(
      app,
      CREATE_CUSTOMER,
      { input: minimalInput('cmp_broken') },
      {
        token,
      },
    );
    expectCode(again, 'UNAVAILABLE');
    expect(again.status).toBe(503);
  });

  it('give a syntax error INVALID_ARGUMENT', async () => {
    const company = await newCompany(env);
    const response = await company.gql('{ customers(companyId: ');
    expect(response.status).toBe(400);
    expect(violatedFields(response)).toEqual(['query']);
  });

  it('give an unknown field INVALID_ARGUMENT', async () => {
    const company = await newCompany(env);
    const response = await company.gql('{ customer(id: "cus_x") { shoeSize } }');
    expect(violatedFields(response)).toEqual(['query']);
  });

  it('give a missing required argument INVALID_ARGUMENT naming it', async () => {
    const company = await newCompany(env);
    expect(violatedFields(await company.gql('{ customer { id } }'))).toEqual(['id']);
  });

  it('give a missing variable INVALID_ARGUMENT naming the argument', async () => {
    const company = await newCompany(env);
    const response = await company.gql(CREATE_CUSTOMER, {});
    expect(violatedFields(response)).toEqual(['input']);
  });

  it('limit aliases and tokens with a clear error', async () => {
    const company = await newCompany(env);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: customer(id: "cus_x") { id }`).join(' ')} }`;
    const tooManyAliases = await company.gql(aliases);
    expectCode(tooManyAliases, 'INVALID_ARGUMENT');
    expect(tooManyAliases.errors![0]!.message).toMatch(/alias/i);
    const tokens = `{ ${'__typename '.repeat(6000)}}`;
    const tooManyTokens = await company.gql(tokens);
    expectCode(tooManyTokens, 'INVALID_ARGUMENT');
    expect(tooManyTokens.errors![0]!.message).toMatch(/token/i);
  });

  it('count a query in nodes, with its page sizes, and refuse one over the limit', async () => {
    const company = await newCompany(env);
    const nested = (first: number, notes: number) =>
      company.gql(
        `query($c: ID!, $f: Int, $n: Int) { customers(companyId: $c, first: $f) {
          edges { node { notes(first: $n) { edges { node { id } } } } } } }`,
        { c: company.id, f: first, n: notes },
      );
    expect((await nested(500, 100)).errors).toBeUndefined();
    const refused = await nested(500, 500);
    const error = expectCode(refused, 'RESOURCE_EXHAUSTED');
    expect(error.message).toMatch(/250500 nodes; the limit is 100000/);
  });

  it('carry extensions.code on every error of a response', async () => {
    const company = await newCompany(env);
    const response = await company.gql(
      '{ a: customer(id: "cus_missing0000000") { id } b: customer(id: "banana") { id } }',
    );
    expect(response.errors!.length).toBe(2);
    for (const error of response.errors!) expect(error.extensions?.code).toMatch(/^[A-Z_]+$/);
  });
});
