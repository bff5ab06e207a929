// Process entry: config -> store -> migrations -> (development key) -> app -> listen.
// SIGTERM/SIGINT stop accepting connections, let requests in flight finish, then close the store.
import { createServer } from 'node:http';
import { createApp } from './app.js';
import { createAuthenticator } from './auth.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './db/client.js';
import { migrate } from './db/migrate.js';
import { ensureDevKey } from './dev-key.js';
import { defaultGraphiQLDocument } from './graphiql.js';
import { createLogger } from './logger.js';
import { apiKeyRepository } from './repositories/api-key.js';
import { countStatement } from './request-scope.js';
import { apiKeyService } from './services/api-key.js';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.auth.jwtSecret !== null && config.auth.jwtSecret.length < 32) {
    logger.warn('AUTH_JWT_SECRET is shorter than 32 characters; HS256 wants at least 256 bits');
  }

  const store = await openStore(config.database, { onQuery: countStatement });
  await migrate(store);

  const apiKeys = apiKeyRepository(store.db);
  const devKey = config.production
    ? null
    : await ensureDevKey(apiKeyService(apiKeys), config.devKeyFile);

  const app = await createApp({
    store,
    logger,
    customerQuota: config.customerQuota,
    publicBaseUrl: config.publicBaseUrl,
    trustProxy: config.trustProxy,
    metrics: config.metrics,
    authenticate: createAuthenticator({ ...config.auth, apiKeys }),
    graphiql: config.graphiql
      ? {
          title: 'customer-graph',
          defaultQuery: defaultGraphiQLDocument,
          ...(devKey ? { headers: JSON.stringify({ Authorization: `Bearer ${devKey.key}` }) } : {}),
        }
      : false,
  });

  const server = createServer(app.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const database =
    config.database.kind === 'postgres'
      ? 'PostgreSQL'
      : `PGlite (${config.database.dataDir ?? 'in memory'})`;
  if (devKey) {
    process.stdout.write(
      [
        '',
        `customer-graph is serving http://${host}:${port}/graphql on ${database}`,
        `Development API key for company cmp_001${devKey.created ? ' (new)' : ''}:`,
        `  ${devKey.key}`,
        'GraphiQL opens with it in its headers. Send it as: Authorization: Bearer <key>',
        '',
      ].join('\n'),
    );
  }

  // Logged last: a supervisor (or a test) waiting for this line finds the key printed already.
  logger.info('listening', { url: `http://${host}:${port}/graphql`, database });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    server.close(async () => {
      await store
        .close()
        .catch((error: unknown) => logger.error('closing the store failed', { error }));
      process.exit(0);
    });
    server.closeIdleConnections();
    // Requests that hang on do not keep the process alive for ever.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`customer-graph: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(
      `customer-graph: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
