// Reads the environment once and validates it. A bad value becomes one ConfigError whose message
// names the variable, what it must be, and what it was; main.ts prints it on one line and exits.

import { availableParallelism } from 'node:os';
import type { LogLevel } from './lib/logger.js';

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | null }
  | { kind: 'postgres'; url: string; poolSize: number };

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
  /** Serve request and SQL statement counters at /metrics. */
  metrics: boolean;
  /** Processes serving the port (node:cluster); more than one needs PostgreSQL. */
  workers: number;
  customerQuota: number;
  logLevel: LogLevel;
  production: boolean;
  graphiql: boolean;
  /** Browser origins allowed to call cross-origin, with credentials (CORS_ORIGINS). */
  corsOrigins: string[];
  /** Where the development API key's plain text is kept between starts (outside production). */
  devKeyFile: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an absolute http(s) URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

function database(env: Env): DatabaseConfig {
  const url = read(env, 'DATABASE_URL');
  // Two connections per core: more only add context switches where the database shares the
  // machine, and the pool is easy to raise for a larger database server. At least 2: migrations
  // hold one connection for their advisory lock while they run on another.
  const poolSize = integer(
    env,
    'DATABASE_POOL_SIZE',
    Math.max(4, 2 * availableParallelism()),
    2,
    1000,
  );
  if (url === undefined) {
    return { kind: 'pglite', dataDir: read(env, 'PGLITE_DATA_DIR') ?? './.data/pglite' };
  }
  if (url === 'memory://') return { kind: 'pglite', dataDir: null };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url, poolSize };
  }
  throw new ConfigError(
    `DATABASE_URL must start with postgres://, postgresql:// or be memory:// (got "${url.replace(/:[^:@/]*@/, ':***@')}")`,
  );
}

/** CORS_ORIGINS: a comma-separated list of origins (scheme://host[:port]), exactly as sent. */
function origins(env: Env): string[] {
  const raw = read(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const value = entry.trim();
    let origin: string | null = null;
    try {
      origin = new URL(value).origin;
    } catch {}
    if (origin !== value || !/^https?:/.test(value)) {
      throw new ConfigError(
        `CORS_ORIGINS must list origins such as https://app.example.com, without path or "*" (got "${value}")`,
      );
    }
    return value;
  });
}

export function loadConfig(env: Env = process.env): Config {
  const production = read(env, 'NODE_ENV') === 'production';
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = read(env, 'HOST') ?? '127.0.0.1';

  const logLevel = (read(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const jwksUrl = read(env, 'AUTH_JWKS_URL');
  const publicBaseUrl = read(env, 'PUBLIC_BASE_URL');
  const hostForUrl = host.includes(':') ? `[${host}]` : host;

  const db = database(env);
  const workers = integer(env, 'WORKERS', 1, 1, 64);
  if (workers > 1 && db.kind === 'pglite') {
    throw new ConfigError(
      'WORKERS above 1 needs PostgreSQL (DATABASE_URL=postgres://…): PGlite is one process',
    );
  }

  return {
    port,
    host,
    database: db,
    workers,
    auth: {
      jwtSecret: read(env, 'AUTH_JWT_SECRET') ?? null,
      jwksUrl: jwksUrl === undefined ? null : httpUrl('AUTH_JWKS_URL', jwksUrl),
      audience: read(env, 'AUTH_AUDIENCE') ?? 'customer-graph',
    },
    publicBaseUrl:
      publicBaseUrl === undefined
        ? `http://${hostForUrl}:${port}`
        : httpUrl('PUBLIC_BASE_URL', publicBaseUrl),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    metrics: boolean(env, 'METRICS', false),
    customerQuota: integer(env, 'CUSTOMER_QUOTA', 100_000, 1, 1_000_000_000),
    logLevel,
    production,
    graphiql: boolean(env, 'GRAPHIQL', !production),
    corsOrigins: origins(env),
    devKeyFile: production ? null : (read(env, 'DEV_KEY_FILE') ?? './.data/dev-api-key.json'),
  };
}
