// The application under test: createApp on PGlite (a copy of the migrated template) or, when
// DATABASE_URL is set, on PostgreSQL. One store per test file; every SQL statement it runs is
// recorded in `sql`, so that a test can count the statements of one request.
import { appendFileSync, readFileSync } from 'node:fs';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, inject } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { openStore, type Store, type StoreOptions } from '../../src/db/client.js';
import { type App, type AppDeps, createApp } from '../../src/http/app.js';
import { randomToken } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { apiKeyRepository } from '../../src/repositories/api-key.js';
import { postgresTestConfig } from './database.js';

export const TEST_JWT_SECRET = 'customer-graph-test-secret-of-at-least-32-chars';
export const TEST_AUDIENCE = 'customer-graph';
export const ALL_SCOPES = 'customers:read customers:write';
export const TEST_PUBLIC_BASE_URL = 'https://customers.example.test';

export interface TestEnv {
  /** The store; its `db` is the tests' own handle (not recorded, not checked). */
  store: Store;
  /** The application's handle on the same store: for running src/ code directly (recorded). */
  appDb: Store['db'];
  app: App;
  /**
   * Every SQL statement run so far for the requests' data; tests empty it with `sql.length = 0`.
   * The rate-limit charge each request makes (one statement) is kept apart, in `charges`.
   */
  sql: string[];
  charges: string[];
  /** Log lines the app wrote (errors among them). */
  logs: string[];
  /** Another app, on the same store unless told otherwise, e.g. with a small quota. */
  makeApp(overrides?: Partial<AppDeps>): Promise<App>;
}

export const isPostgres = Boolean(process.env.DATABASE_URL);

/**
 * Every distinct statement the application ran in this file, written for global-setup's check
 * after the run: none touches a tenant table without pinning it to one company
 * (test/helpers/sharding.ts).
 */
const suiteStatements = new Set<string>();
afterAll(() => {
  if (suiteStatements.size === 0) return;
  appendFileSync(
    inject('statementFile'),
    `${[...suiteStatements].map((statement) => JSON.stringify(statement)).join('\n')}\n`,
  );
});

/** A Drizzle handle on the store's connections that records nothing. */
function unrecorded(store: Store): Store['db'] {
  const { driver } = store;
  return (driver.kind === 'postgres'
    ? drizzlePostgres({ client: driver.client })
    : drizzlePglite({ client: driver.client })) as unknown as Store['db'];
}

/** A store of its own on the suite's database (PostgreSQL, or a copy of the PGlite template). */
export async function openTestStore(options: StoreOptions = {}): Promise<Store> {
  if (process.env.DATABASE_URL) return openStore(postgresTestConfig(10), options);
  const template = inject('pgliteTemplate');
  if (!template) throw new Error('the PGlite template was not prepared by global-setup');
  return openStore(
    { kind: 'pglite', dataDir: null },
    { ...options, pgliteTemplate: new Blob([readFileSync(template)]) },
  );
}

export async function createTestEnv(): Promise<TestEnv> {
  const sql: string[] = [];
  const charges: string[] = [];
  const logs: string[] = [];
  const onQuery = (statement: string) => {
    (statement.includes('rate_limit_buckets') ? charges : sql).push(statement);
    suiteStatements.add(statement);
  };
  const store = await openTestStore({ onQuery });
  // The tests' own reads and writes of the tables (env.store.db) go through a Drizzle handle of
  // their own, on the same connections: neither recorded in `sql` nor held to the sharding check.
  const probes: Store = { ...store, db: unrecorded(store) };
  // At info, so that the request lines are written (and checked for personal data after the run).
  const logFile = inject('logFile');
  const logger = createLogger('info', (line) => {
    logs.push(line);
    appendFileSync(logFile, line);
  });
  const makeApp = (overrides: Partial<AppDeps> = {}) =>
    createApp({
      store,
      logger,
      customerQuota: 100_000,
      publicBaseUrl: TEST_PUBLIC_BASE_URL,
      authenticate: createAuthenticator({
        jwtSecret: TEST_JWT_SECRET,
        jwksUrl: null,
        audience: TEST_AUDIENCE,
        apiKeys: apiKeyRepository(overrides.store?.db ?? store.db),
      }),
      graphiql: false,
      trustProxy: true,
      ...overrides,
    });
  return { store: probes, appDb: store.db, app: await makeApp(), sql, charges, logs, makeApp };
}

/** Registers the per-file environment with beforeAll/afterAll; read it inside tests. */
export function useTestEnv(): TestEnv {
  let env: TestEnv | undefined;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await env?.store.close();
  });
  return new Proxy({} as TestEnv, {
    get(_target, key) {
      if (!env) throw new Error('test environment not ready (use it inside tests)');
      return env[key as keyof TestEnv];
    },
  });
}

export interface JwtOptions {
  companyId?: string | null;
  sub?: string | null;
  scope?: string;
  secret?: string;
  audience?: string | null;
  /** Seconds from now; null leaves `exp` out. */
  expiresIn?: number | null;
  alg?: string;
}

export async function mintJwt(options: JwtOptions = {}): Promise<string> {
  const payload: Record<string, unknown> = { scope: options.scope ?? ALL_SCOPES };
  if (options.companyId !== null) payload.company_id = options.companyId ?? 'cmp_001';
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuedAt();
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'stf_test');
  if (options.audience !== null) jwt.setAudience(options.audience ?? TEST_AUDIENCE);
  if (options.expiresIn !== null) {
    jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3600));
  }
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: {
      code?: string;
      requestId?: string;
      fieldViolations?: { field: string; description: string }[];
      [key: string]: unknown;
    };
  }[];
  extensions?: Record<string, unknown>;
}

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  app?: App;
  /** Another endpoint than /graphql (the federation subgraph's). */
  path?: string;
}

export async function graphql<T = Record<string, unknown>>(
  app: Pick<App, 'fetch'>,
  query: string,
  variables?: Record<string, unknown>,
  options: Omit<RequestOptions, 'app'> = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    ...options.headers,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await app.fetch(
    new Request(`http://localhost${options.path ?? '/graphql'}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** A company of its own for one test, with a staff member holding every scope. */
export interface TestCompany {
  id: string;
  token: string;
  staffId: string;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
}

export async function newCompany(
  env: TestEnv,
  options: { id?: string; scope?: string } = {},
): Promise<TestCompany> {
  const id = options.id ?? `cmp_t${randomToken(12)}`;
  const staffId = `stf_${randomToken(8)}`;
  const token = await mintJwt({ companyId: id, sub: staffId, scope: options.scope ?? ALL_SCOPES });
  return {
    id,
    token,
    staffId,
    gql: (query, variables, requestOptions = {}) =>
      graphql(requestOptions.app ?? env.app, query, variables, {
        token: requestOptions.token === undefined ? token : requestOptions.token,
        ...(requestOptions.headers ? { headers: requestOptions.headers } : {}),
        ...(requestOptions.path ? { path: requestOptions.path } : {}),
      }),
  };
}
