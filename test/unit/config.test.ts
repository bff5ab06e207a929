import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: './.data/pglite' },
      auth: { jwtSecret: null, jwksUrl: null, audience: 'customer-graph' },
      publicBaseUrl: 'http://127.0.0.1:4000',
      customerQuota: 100_000,
      logLevel: 'info',
      production: false,
      graphiql: true,
      corsOrigins: [],
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      AUTH_JWT_SECRET: 's',
      AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      AUTH_AUDIENCE: 'aud',
      PUBLIC_BASE_URL: 'https://customers.example.com/',
      CUSTOMER_QUOTA: '5',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'postgres', url: 'postgres://u:p@db:5432/app' },
      auth: {
        jwtSecret: 's',
        jwksUrl: 'https://id.example.com/.well-known/jwks.json',
        audience: 'aud',
      },
      publicBaseUrl: 'https://customers.example.com',
      customerQuota: 5,
      logLevel: 'debug',
      production: true,
      graphiql: false,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      devKeyFile: null,
    });
  });

  it('reads the trace sampler as OpenTelemetry names it, and refuses one it does not know', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig(endpoint).tracing?.sampler).toEqual({
      name: 'parentbased_always_on',
      ratio: 1,
    });
    expect(
      loadConfig({
        ...endpoint,
        OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
        OTEL_TRACES_SAMPLER_ARG: '0.05',
      }).tracing?.sampler,
    ).toEqual({ name: 'parentbased_traceidratio', ratio: 0.05 });
    for (const bad of [
      { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
      { OTEL_TRACES_SAMPLER_ARG: '1.5' },
      { OTEL_TRACES_SAMPLER_ARG: 'half' },
    ]) {
      expect(() => loadConfig({ ...endpoint, ...bad })).toThrow(ConfigError);
    }
  });

  it('takes only plain origins in CORS_ORIGINS', () => {
    for (const bad of ['*', 'https://app.example.com/', 'app.example.com', 'ftp://x.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow(ConfigError);
    }
  });

  it('takes memory:// for an in-memory PGlite and PGLITE_DATA_DIR for its folder', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({
      kind: 'pglite',
      dataDir: null,
    });
    expect(loadConfig({ PGLITE_DATA_DIR: '/tmp/x' }).database).toEqual({
      kind: 'pglite',
      dataDir: '/tmp/x',
    });
  });

  it.each([
    { PORT: '65536' },
    { PORT: '1.5' },
    { CUSTOMER_QUOTA: '0' },
    { LOG_LEVEL: 'verbose' },
    { DATABASE_URL: 'sqlite://x' },
    { AUTH_JWKS_URL: 'not a url' },
    { GRAPHIQL: 'maybe' },
    { WORKERS: '2' },
    { WORKERS: '0', DATABASE_URL: 'postgres://x/y' },
    // Migrations need two connections (one holds the lock): a pool of 1 would hang at start.
    { DATABASE_POOL_SIZE: '1', DATABASE_URL: 'postgres://x/y' },
  ])('refuses %j with a ConfigError', (env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it('does not echo a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:secret@host/db' })).toThrow(
      /^(?!.*secret).*$/,
    );
  });
});
