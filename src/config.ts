// Reads the environment once and validates it (zod, as the inputs are). A bad value becomes one
// ConfigError whose message names the variable, what it must be, and what it was; main.ts prints
// it on one line and exits.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { LogLevel } from './lib/logger.js';

/** OTEL_TRACES_SAMPLER's values that the OpenTelemetry SDK implements (lib/tracing.ts builds them). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export interface SamplerChoice {
  name: (typeof SAMPLERS)[number];
  /** The share of traces kept by the traceidratio samplers (OTEL_TRACES_SAMPLER_ARG), 0 to 1. */
  ratio: number;
}

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | null }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      timeouts?: DatabaseTimeouts;
      /** Streaming replicas that serve queries (DATABASE_REPLICA_URL); none when empty. */
      replicas?: readonly string[];
      /** A replica further behind the primary than this serves no reads (REPLICA_MAX_LAG_MS). */
      replicaMaxLagMs?: number;
      /**
       * Statements prepared once per connection (DATABASE_PREPARE, on by default); off behind a
       * pooler in transaction mode (PgBouncer), whose server connections change between
       * transactions. Off, the session's timeouts are set by each transaction too.
       */
      prepare?: boolean;
      /**
       * Where LISTEN and the migrations' advisory lock connect (DATABASE_DIRECT_URL): the primary
       * itself, not a pooler in transaction mode, which holds neither across transactions.
       */
      directUrl?: string;
    };

/** The limits set on every PostgreSQL session, in ms, all below the request's deadline. */
export interface DatabaseTimeouts {
  connect: number;
  statement: number;
  lock: number;
}

/**
 * Each statement ends before the request's deadline, a lock wait a little before that (so that
 * a write blocked on a lock ends as DEADLINE_EXCEEDED in about the deadline, rolled back), and
 * a connection attempt within a second (an unreachable database answers UNAVAILABLE quickly).
 */
export function databaseTimeouts(requestTimeoutMs: number): DatabaseTimeouts {
  const statement = Math.max(100, requestTimeoutMs - 500);
  return { connect: 1000, statement, lock: Math.max(50, statement - 250) };
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  auth: {
    jwtSecret: string | null;
    jwksUrl: string | null;
    audience: string;
  };
  publicBaseUrl: string;
  /** Take the client's IP from X-Forwarded-For: only behind a proxy that sets it. */
  trustProxy: boolean;
  /** The port of the Prometheus metrics listener (METRICS_PORT); none when unset. */
  metricsPort: number | null;
  /** Processes serving the port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
  customerQuota: number;
  /** Every request's deadline (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** How long change events are kept (EVENT_RETENTION_DAYS). */
  eventRetentionDays: number;
  /** How long a client may leave what it is sent unread before it is disconnected (CLIENT_STALL_MS). */
  clientStallMs: number;
  /** Webhooks may go to private, loopback and link-local addresses, over http too (tests). */
  webhookAllowPrivate: boolean;
  /** Where persisted queries are shared (REDIS_URL); the database when unset. */
  redisUrl: string | null;
  /** Each credential's bucket of query cost (RATE_LIMIT_POINTS, RATE_LIMIT_RESTORE per second). */
  rateLimit: { capacity: number; restorePerSecond: number };
  logLevel: LogLevel;
  production: boolean;
  graphiql: boolean;
  /** Browser origins allowed to call cross-origin, with credentials (CORS_ORIGINS). */
  corsOrigins: string[];
  /** Where the development API key's plain text is kept between starts (outside production). */
  devKeyFile: string | null;
  /** OpenTelemetry traces, exported over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); none when unset. */
  tracing: { endpoint: string; serviceName: string; sampler: SamplerChoice } | null;
}

/**
 * Which database a configuration names, as the development key file tells them apart: the PGlite
 * folder's absolute path, or the PostgreSQL URL without its password.
 */
export function databaseIdentity(database: DatabaseConfig): string {
  if (database.kind === 'pglite') {
    return database.dataDir === null ? 'pglite:memory' : `pglite:${resolve(database.dataDir)}`;
  }
  const url = new URL(database.url);
  url.password = '';
  return url.toString();
}

/** A full bucket holds the most a single document may cost (graphql/query-cost.ts). */
export const DEFAULT_RATE_LIMIT = { capacity: 100_000, restorePerSecond: 2000 } as const;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies LogLevel[];

const integer = (min: number, max: number) => {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
};

const flag = z.stringbool({
  truthy: ['1', 'true', 'yes', 'on'],
  falsy: ['0', 'false', 'no', 'off'],
  case: 'insensitive',
  error: 'must be true or false',
});

/** An absolute http(s) URL, without a trailing slash. */
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''));

/** Browser origins (scheme://host[:port]), comma-separated, exactly as browsers send them. */
const origins = z.string().transform((raw, ctx) =>
  raw.split(',').map((entry) => {
    const value = entry.trim();
    let origin: string | null = null;
    try {
      origin = new URL(value).origin;
    } catch {}
    if (origin !== value || !/^https?:/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must list origins such as https://app.example.com, without path or "*"',
      });
    }
    return value;
  }),
);

const databaseUrl = z
  .string()
  .refine(
    (url) => url === 'memory://' || (/^postgres(ql)?:\/\//.test(url) && URL.canParse(url)),
    'must start with postgres://, postgresql:// or be memory://',
  );

const environment = z.object({
  NODE_ENV: z.string().optional(),
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: databaseUrl.optional(),
  PGLITE_DATA_DIR: z.string().default('./.data/pglite'),
  // Two connections per core: more only add context switches where the database shares the
  // machine, and the pool is easy to raise for a larger database server. At least 2: migrations
  // hold one connection for their advisory lock while they run on another.
  DATABASE_POOL_SIZE: integer(2, 1000).default(Math.max(4, 2 * availableParallelism())),
  DATABASE_REPLICA_URL: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine(
            (url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url),
            'must list postgres:// URLs, separated by commas',
          ),
      ),
    )
    .optional(),
  REPLICA_MAX_LAG_MS: integer(0, 3_600_000).default(1000),
  DATABASE_PREPARE: flag.default(true),
  DATABASE_DIRECT_URL: databaseUrl.optional(),
  WORKERS: integer(1, 64).default(1),
  AUTH_JWT_SECRET: z.string().optional(),
  AUTH_JWKS_URL: httpUrl.optional(),
  AUTH_AUDIENCE: z.string().default('customer-graph'),
  PUBLIC_BASE_URL: httpUrl.optional(),
  TRUST_PROXY: flag.default(false),
  METRICS_PORT: integer(1, 65535).optional(),
  CUSTOMER_QUOTA: integer(1, 1_000_000_000).default(100_000),
  REQUEST_TIMEOUT_MS: integer(1000, 600_000).default(10_000),
  EVENT_RETENTION_DAYS: integer(1, 3650).default(30),
  CLIENT_STALL_MS: integer(100, 600_000).default(30_000),
  WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  REDIS_URL: z
    .string()
    .refine(
      (url) => /^rediss?:\/\//.test(url) && URL.canParse(url),
      'must start with redis:// or rediss://',
    )
    .optional(),
  RATE_LIMIT_POINTS: integer(1, 1_000_000_000).default(DEFAULT_RATE_LIMIT.capacity),
  RATE_LIMIT_RESTORE: integer(1, 1_000_000_000).default(DEFAULT_RATE_LIMIT.restorePerSecond),
  LOG_LEVEL: z
    .string()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('info'),
  GRAPHIQL: flag.optional(),
  CORS_ORIGINS: origins.default([]),
  DEV_KEY_FILE: z.string().default('./.data/dev-api-key.json'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().default('customer-graph'),
  OTEL_TRACES_SAMPLER: z
    .string()
    .toLowerCase()
    .pipe(z.enum(SAMPLERS, { error: `must be one of ${SAMPLERS.join(', ')}` }))
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number from 0 to 1' })
    .min(0, 'must be a number from 0 to 1')
    .max(1, 'must be a number from 0 to 1')
    .default(1),
});

type Env = Record<string, string | undefined>;

/** The value as shown in an error: a URL's password never. */
const shown = (name: string, value: unknown) =>
  name.startsWith('DATABASE_') || name === 'REDIS_URL'
    ? String(value).replace(/:[^:@/]*@/g, ':***@')
    : String(value);

export function loadConfig(env: Env = process.env): Config {
  // A blank variable is an unset one.
  const given: Env = {};
  for (const key of Object.keys(environment.shape)) {
    const value = env[key]?.trim();
    if (value) given[key] = value;
  }
  const parsed = environment.safeParse(given);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const name = String(issue?.path[0]);
    throw new ConfigError(`${name} ${issue?.message} (got "${shown(name, given[name])}")`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const database: DatabaseConfig =
    e.DATABASE_URL === undefined
      ? { kind: 'pglite', dataDir: e.PGLITE_DATA_DIR }
      : e.DATABASE_URL === 'memory://'
        ? { kind: 'pglite', dataDir: null }
        : {
            kind: 'postgres',
            url: e.DATABASE_URL,
            poolSize: e.DATABASE_POOL_SIZE,
            timeouts: databaseTimeouts(e.REQUEST_TIMEOUT_MS),
            replicas: e.DATABASE_REPLICA_URL ?? [],
            replicaMaxLagMs: e.REPLICA_MAX_LAG_MS,
            prepare: e.DATABASE_PREPARE,
            ...(e.DATABASE_DIRECT_URL ? { directUrl: e.DATABASE_DIRECT_URL } : {}),
          };
  if (database.kind === 'pglite' && (e.DATABASE_REPLICA_URL?.length || e.DATABASE_DIRECT_URL)) {
    throw new ConfigError(
      'DATABASE_REPLICA_URL and DATABASE_DIRECT_URL need PostgreSQL (DATABASE_URL=postgres://…)',
    );
  }
  if (e.WORKERS > 1 && database.kind === 'pglite') {
    throw new ConfigError(
      'WORKERS above 1 needs PostgreSQL (DATABASE_URL=postgres://…): PGlite is one process',
    );
  }
  const hostForUrl = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    database,
    workers: e.WORKERS,
    auth: {
      jwtSecret: e.AUTH_JWT_SECRET ?? null,
      jwksUrl: e.AUTH_JWKS_URL ?? null,
      audience: e.AUTH_AUDIENCE,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://${hostForUrl}:${e.PORT}`,
    trustProxy: e.TRUST_PROXY,
    metricsPort: e.METRICS_PORT ?? null,
    customerQuota: e.CUSTOMER_QUOTA,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    clientStallMs: e.CLIENT_STALL_MS,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    redisUrl: e.REDIS_URL ?? null,
    rateLimit: { capacity: e.RATE_LIMIT_POINTS, restorePerSecond: e.RATE_LIMIT_RESTORE },
    logLevel: e.LOG_LEVEL,
    production,
    graphiql: e.GRAPHIQL ?? !production,
    corsOrigins: e.CORS_ORIGINS,
    devKeyFile: production ? null : e.DEV_KEY_FILE,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
          serviceName: e.OTEL_SERVICE_NAME,
          // OTEL_TRACES_SAMPLER_ARG is the ratio of the traceidratio samplers (the others have none).
          sampler: { name: e.OTEL_TRACES_SAMPLER, ratio: e.OTEL_TRACES_SAMPLER_ARG },
        }
      : null,
  };
}
