// Process entry: config -> store -> migrations -> (development key) -> app -> listen.
// With WORKERS=n (PostgreSQL only) the primary process migrates, then forks n workers that share
// the port (node:cluster). SIGTERM/SIGINT stop accepting connections, let requests in flight
// finish, then close the store.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { Server } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { createAuthenticator } from './auth/authenticator.js';
import { ensureDevKey } from './auth/dev-key.js';
import { type Config, ConfigError, databaseIdentity, loadConfig } from './config.js';
import { openStore } from './db/client.js';
import { DataFolderInUse } from './db/folder-lock.js';
import { migrate } from './db/migrate.js';
import { createApp } from './http/app.js';
import { graphiqlOptions } from './http/graphiql.js';
import { processMetrics } from './http/metrics.js';
import { createLogger, type Logger } from './lib/logger.js';
import { startTracing, type Tracing } from './lib/tracing.js';
import { apiKeyRepository } from './repositories/api-key.js';
import { apiKeyService } from './services/api-key.js';
import { eventRetention } from './services/event-retention.js';
import { webhookWorker } from './services/webhook-delivery.js';

const WORKER = 'CUSTOMER_GRAPH_WORKER';

/** How long a stopping server leaves idle keep-alive connections open for a request in flight. */
const IDLE_GRACE_MS = 1000;

function describe(config: Config, port: number) {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const database =
    config.database.kind === 'postgres'
      ? 'PostgreSQL'
      : `PGlite (${config.database.dataDir ?? 'in memory'})`;
  return { url: `http://${host}:${port}/graphql`, database };
}

function printDevKey(config: Config, port: number, devKey: { key: string; created: boolean }) {
  const { url, database } = describe(config, port);
  process.stdout.write(
    [
      '',
      `customer-graph is serving ${url} on ${database}`,
      `Development API key for company cmp_001${devKey.created ? ' (new)' : ''}:`,
      `  ${devKey.key}`,
      'GraphiQL opens with it in its headers. Send it as: Authorization: Bearer <key>',
      '',
    ].join('\n'),
  );
}

/** The process's tracing, when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
let tracing: Tracing | null | undefined;
const tracingOf = (config: Config) => {
  tracing ??= config.tracing ? startTracing(config.tracing) : null;
  return tracing;
};

/**
 * The store, counting and timing its statements when metrics are on (a traced request's
 * statements are observed on handles of its own too, context.ts).
 */
const openStoreOf = (config: Config, logger: Logger) => {
  const metrics = config.metricsPort === null ? null : processMetrics();
  return openStore(config.database, {
    onStatement: metrics?.observeStatement,
    onReplicaChange: ({ replica, serving, reason }) =>
      (serving ? logger.info : logger.warn).call(
        logger,
        { replica, reason },
        serving ? 'replica serves reads' : 'replica serves no reads: the primary does',
      ),
  });
};

/**
 * Prometheus metrics on their own port, never the public one: this process's, or (in a
 * node:cluster primary) every worker's summed by prom-client's AggregatorRegistry.
 */
async function serveMetrics(config: Config, logger: Logger, ofCluster: boolean) {
  if (config.metricsPort === null) return;
  const aggregator = ofCluster ? new AggregatorRegistry() : null;
  const { registry } = processMetrics();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    (aggregator ? aggregator.clusterMetrics() : registry.metrics()).then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ error }, 'collecting metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort ?? 0, config.host, resolve);
  });
  server.unref();
  logger.info({ port: config.metricsPort }, 'metrics listening');
  logger.flush();
}

/** Migrations and the development key: once per deployment start, before serving. */
async function prepare(config: Config, logger: Logger) {
  const store = await openStoreOf(config, logger);
  await migrate(store);
  const devKey = config.production
    ? null
    : await ensureDevKey(
        apiKeyService(apiKeyRepository(store.db)),
        config.devKeyFile,
        databaseIdentity(config.database),
      );
  return { store, devKey };
}

/** Serves until SIGTERM/SIGINT; returns the port it listens on. */
async function serve(
  config: Config,
  logger: Logger,
  store: Awaited<ReturnType<typeof prepare>>['store'],
  devKey: { key: string } | null,
) {
  const apiKeys = apiKeyRepository(store.db);
  const app = await createApp({
    store,
    logger,
    customerQuota: config.customerQuota,
    requestTimeoutMs: config.requestTimeoutMs,
    rateLimit: config.rateLimit,
    publicBaseUrl: config.publicBaseUrl,
    trustProxy: config.trustProxy,
    metrics: config.metricsPort !== null,
    corsOrigins: config.corsOrigins,
    fieldSuggestions: !config.production,
    authenticate: createAuthenticator({ ...config.auth, apiKeys }),
    graphiql: config.graphiql ? graphiqlOptions(devKey?.key ?? null) : false,
    tracing: tracingOf(config) ?? undefined,
    webhookAllowPrivate: config.webhookAllowPrivate,
    clientStallMs: config.clientStallMs,
    redisUrl: config.redisUrl,
  });

  let stopping = false;
  const server = createServer((req, res) => {
    // While stopping, every response closes its connection: a keep-alive client sends its next
    // request on a new connection (which a replica still serving takes), so the drain ends.
    if (stopping) res.setHeader('connection', 'close');
    app.handle(req, res);
  });
  app.attach(server);
  const stopPruning = eventRetention(store.db, {
    retentionDays: config.eventRetentionDays,
    logger,
  }).start();
  const stopDelivering = webhookWorker(store.db, {
    logger,
    allowPrivate: config.webhookAllowPrivate,
  }).start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Streams end first, each with a message to subscribe again (elsewhere) from its cursor.
    void app.shutDown();
    stopPruning();
    const started = Date.now();
    // A connection busy with requests closes after its next response (above). The listening
    // socket closes now, but through net.Server's close: http.Server's would also close every
    // idle keep-alive connection at once, resetting a request a client has just sent on one
    // (or on a connection accepted a moment ago) that the server has not read yet. Connections
    // still idle after a grace period are closed then.
    let closingIdle: NodeJS.Timeout | undefined;
    const grace = setTimeout(() => {
      server.closeIdleConnections();
      closingIdle = setInterval(() => server.closeIdleConnections(), 250);
    }, IDLE_GRACE_MS);
    Server.prototype.close.call(server, async () => {
      clearTimeout(grace);
      clearInterval(closingIdle);
      // Connections are closed; requests whose clients left may still be running.
      await app.idle();
      // A delivery cut short here is sent again when its lease ends (by a replica, or later).
      await stopDelivering();
      await store
        .close()
        .catch((error: unknown) => logger.error({ error }, 'closing the store failed'));
      await tracing
        ?.shutdown()
        .catch((error: unknown) => logger.warn({ error }, 'exporting the last spans failed'));
      logger.info({ ms: Date.now() - started }, 'stopped');
      process.exit(0);
    });
    // Requests that hang on do not keep the process alive for ever.
    setTimeout(() => {
      logger.error({ ms: Date.now() - started }, 'requests still running at the shutdown deadline');
      process.exit(1);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const address = server.address();
  return typeof address === 'object' && address ? address.port : config.port;
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  if (process.env[WORKER]) {
    const store = await openStoreOf(config, logger);
    await serve(config, logger, store, null);
    return;
  }

  if (config.auth.jwtSecret !== null && config.auth.jwtSecret.length < 32) {
    logger.warn('AUTH_JWT_SECRET is shorter than 32 characters; HS256 wants at least 256 bits');
  }
  const { store, devKey } = await prepare(config, logger);

  if (config.workers > 1) {
    await store.close();
    let listening = 0;
    cluster.on('listening', (_worker, address) => {
      listening += 1;
      if (listening === config.workers) {
        if (devKey) printDevKey(config, address.port, devKey);
        logger.info({ ...describe(config, address.port), workers: config.workers }, 'listening');
        logger.flush();
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      if (!stopping) logger.error({ pid: worker.process.pid, code, signal }, 'a worker exited');
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
    });
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    for (let i = 0; i < config.workers; i += 1) cluster.fork({ [WORKER]: '1' });
    await serveMetrics(config, logger, true);
    return;
  }

  const port = await serve(config, logger, store, devKey);
  await serveMetrics(config, logger, false);
  if (devKey) printDevKey(config, port, devKey);
  // Logged last: a supervisor (or a test) waiting for this line finds the key printed already.
  logger.info(describe(config, port), 'listening');
  // Written now, not with the next 4 KB of lines: whoever started the server waits for it.
  logger.flush();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`customer-graph: configuration error: ${error.message}\n`);
  } else if (error instanceof DataFolderInUse) {
    process.stderr.write(`customer-graph: ${error.message}\n`);
  } else {
    process.stderr.write(
      `customer-graph: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
