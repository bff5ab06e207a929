// createApp(deps) -> the HTTP application: GraphQL at /graphql (POST and GET per the
// GraphQL-over-HTTP spec, GraphiQL in a browser), the federation subgraph at /graphql/subgraph,
// /healthz and /readyz. No listening and no
// environment reads here: tests call app.fetch, main.ts serves app.handle.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import { type Authenticate, NO_CREDENTIAL } from '../auth/authenticator.js';
import { DEFAULT_RATE_LIMIT } from '../config.js';
import { type Context, createContext } from '../context.js';
import { connectionStats, type Store } from '../db/client.js';
import { listenForEvents } from '../db/notifications.js';
import { Unauthenticated } from '../errors.js';
import { useDeadline } from '../graphql/deadline.js';
import { documentCaches, persistedQueryStore } from '../graphql/document-caches.js';
import { maskError, useErrorCodes, useInternalErrorReports } from '../graphql/error-boundary.js';
import { useCompiledExecution } from '../graphql/execution.js';
import { useNestingLimit } from '../graphql/nesting-limit.js';
import { useQueryCostLimit } from '../graphql/query-cost.js';
import { isQuery, readsReplica, useReadRouting } from '../graphql/read-routing.js';
import { useStorableText } from '../graphql/storable-text.js';
import {
  requestTraceOf,
  useTracing,
  useTracingEnd,
  withResolverSpans,
} from '../graphql/tracing.js';
import { type Admission, createAdmission } from '../lib/admission.js';
import type { Logger } from '../lib/logger.js';
import type { Tracing } from '../lib/tracing.js';
import {
  persistedQueryRepository,
  redisPersistedQueries,
  type SharedDocuments,
} from '../repositories/persisted-query.js';
import { type BucketLimits, rateLimitRepository } from '../repositories/rate-limit.js';
import {
  schema as publicSchema,
  uncheckedSchema as publicUncheckedSchema,
  subgraphSchema,
  uncheckedSubgraphSchema,
} from '../schema/index.js';
import {
  type CardOnFileProvider,
  cofRedemptionService,
  developmentCardProvider,
} from '../services/card-on-file.js';
import { eventFeed } from '../services/event-feed.js';
import { rateLimiter } from '../services/rate-limit.js';
import { useAccessLog } from './access-log.js';
import { type AuthenticatedServerContext, useAuthentication } from './authentication.js';
import { useBodySizeLimit } from './body-limit.js';
import { useCardOnFilePages } from './cof-pages.js';
import { corsPolicy, useNoCors, useVaryByOrigin } from './cors.js';
import { useDatabaseGate } from './database-gate.js';
import { processMetrics } from './metrics.js';
import { useGraphiQLPage, useRootPointer } from './pages.js';
import { useReadiness } from './readiness.js';
import { requestIdOf, useRequestIds } from './request-id.js';
import { closeStalledClients } from './stalled-clients.js';
import { useTransportRules } from './transport.js';
import { serveWebSockets, type WebSockets } from './websocket.js';

export interface AppDeps {
  store: Store;
  authenticate: Authenticate;
  logger: Logger;
  customerQuota: number;
  /** Every request's deadline, in ms (REQUEST_TIMEOUT_MS); 10 s by default. */
  requestTimeoutMs?: number;
  /** Each credential's bucket of query cost; 100,000 points, 2,000 restored a second by default. */
  rateLimit?: BucketLimits;
  /** Base of the links the API hands out (card-on-file links). */
  publicBaseUrl: string;
  /** GraphiQL options, or false to serve none. */
  graphiql: GraphiQLOptions | false;
  /** Take the client's IP from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy?: boolean;
  /** The time card-on-file links are made and checked by; tests move it. */
  clock?: () => Date;
  /** Where a redeemed card-on-file link hands over; the development provider by default. */
  cardProvider?: CardOnFileProvider;
  /** Measure requests for Prometheus (http/metrics.ts; served by main.ts on METRICS_PORT). */
  metrics?: boolean;
  /** Browser origins allowed to call cross-origin, with credentials; none by default. */
  corsOrigins?: readonly string[];
  /** Whether errors may suggest schema names ("Did you mean …?"); off in production. */
  fieldSuggestions?: boolean;
  /** Samples requests and makes their spans (lib/tracing.ts); no tracing when absent. */
  tracing?: Pick<Tracing, 'tracer' | 'requestSpan'> | undefined;
  /** Webhook endpoints may name private addresses (WEBHOOK_ALLOW_PRIVATE; tests). */
  webhookAllowPrivate?: boolean;
  /** How long a client may leave its responses unread before it is disconnected (CLIENT_STALL_MS). */
  clientStallMs?: number;
  /** Persisted queries shared in Redis (REDIS_URL); in the database when absent. */
  redisUrl?: string | null;
}

export interface App {
  /** Handles one request (WHATWG fetch API). */
  fetch(request: Request): Promise<Response>;
  /** Node's http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when no request given to `handle` is still being handled. */
  idle(): Promise<void>;
  /**
   * Serves GraphQL over WebSocket (graphql-ws) on the server's /graphql too, and disconnects the
   * server's clients that stop reading (http/stalled-clients.ts).
   */
  attach(server: Server): void;
  /**
   * The start of a shutdown: /readyz answers 503 from now on (a load balancer probing over a
   * kept-alive connection stops sending here), and every subscription ends (each is told to
   * subscribe again with its last cursor), its WebSocket closed, so that long-lived streams do
   * not hold the drain.
   */
  shutDown(): Promise<void>;
}

const noop = () => {};

/** Yoga's log calls (a message, then details) as pino's, or nothing when the level is off. */
const yogaLog = (logger: Logger, level: 'debug' | 'info' | 'warn') =>
  logger.isLevelEnabled(level)
    ? (message: unknown, ...detail: unknown[]) => logger[level]({ detail }, String(message))
    : noop;

const GRAPHQL_ENDPOINT = '/graphql';
const SUBGRAPH_ENDPOINT = '/graphql/subgraph';

/**
 * On a PostgreSQL pool, write transactions hold at most all connections but one, and one
 * company's at most half of them (lib/admission.ts): a company whose rows are locked slows its
 * own writes only. PGlite has a single connection, whose transactions queue inside it.
 */
function writeAdmission(store: Store): Admission | undefined {
  if (store.driver.kind !== 'postgres') return undefined;
  const pool = store.driver.client.options.max;
  return createAdmission({
    total: Math.max(1, pool - 1),
    perKey: Math.max(1, Math.ceil(pool / 2)),
  });
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { store, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const metrics = deps.metrics ? processMetrics() : null;
  const writes = writeAdmission(store);
  // Subscriptions wake on the process's notifications; without them (a listener that could not
  // start), they still read the stream at every poll interval.
  const feed = eventFeed();
  let shuttingDown = false;
  const notifications = await listenForEvents(
    store,
    (companyId) => feed.wake(companyId),
    () => feed.wake(null),
  ).catch((error: unknown) => {
    logger.warn({ error }, 'listening for change events failed: subscriptions poll');
    return null;
  });
  metrics?.watch({
    writesAdmitted: () => writes?.active ?? 0,
    writesWaiting: () => writes?.waiting ?? 0,
    poolSize: store.driver.kind === 'postgres' ? store.driver.client.options.max : 1,
    connections:
      store.driver.kind === 'postgres' ? connectionStats.bind(null, store.driver.client) : null,
    replicas: store.replicas,
  });
  const contextDeps = {
    db: store.db,
    observedDb: deps.tracing ? store.observed : undefined,
    replica: store.replica,
    sessionTimeouts: store.sessionTimeouts,
    customerQuota: deps.customerQuota,
    clock,
    publicBaseUrl: deps.publicBaseUrl,
    requestTimeoutMs: deps.requestTimeoutMs ?? 10_000,
    writes,
    eventFeed: feed,
    webhooks: { allowPrivate: deps.webhookAllowPrivate ?? false },
  };
  const redemption = cofRedemptionService({
    db: store.db,
    clock,
    provider: deps.cardProvider ?? developmentCardProvider,
  });
  /** The client's address: the socket's peer, or (behind a trusted proxy) X-Forwarded-For. */
  const clientIp = (request: Request, req: IncomingMessage | undefined) => {
    const forwarded = deps.trustProxy
      ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim()
      : undefined;
    return forwarded || (req?.socket.remoteAddress ?? null);
  };

  // The bundled GraphiQL (no CDN) is large: load it only where it is served.
  const renderGraphiQL = deps.graphiql
    ? (await import('@graphql-yoga/render-graphiql')).renderGraphiQL
    : undefined;

  // Automatic persisted queries, shared by every process: a hash registered on one replica is
  // served by the next.
  const sharedDocuments: SharedDocuments = deps.redisUrl
    ? await redisPersistedQueries(deps.redisUrl)
    : persistedQueryRepository(store.db);
  const tracing = deps.tracing;
  const traced = (schema: GraphQLSchema) => (tracing ? withResolverSpans(schema) : schema);
  // One bucket per credential, whichever endpoint it calls.
  const charges = rateLimiter(
    rateLimitRepository(store.db),
    deps.rateLimit ?? DEFAULT_RATE_LIMIT,
    metrics?.rateLimited,
  );

  /**
   * A GraphQL endpoint over its schema, with the same authentication, limits and error rules as
   * every other; `pages` are the plugins that serve the endpoint's other paths. Each endpoint has
   * its own document caches: a document is parsed, validated and compiled against its schema.
   */
  const serve = (
    endpoint: string,
    schemas: { checked: GraphQLSchema; unchecked: GraphQLSchema },
    pages: Plugin[],
  ) => {
    const caches = documentCaches();
    const schema = traced(schemas.checked);
    return createYoga<{ req?: IncomingMessage } & AuthenticatedServerContext, Context>({
      schema,
      graphqlEndpoint: endpoint,
      healthCheckEndpoint: '/healthz',
      landingPage: false,
      parserAndValidationCache: caches,
      cors: deps.corsOrigins?.length ? corsPolicy(deps.corsOrigins) : false,
      // Limited by useBodySizeLimit, which does not stream every body through a TransformStream.
      maxRequestBodySize: false,
      // Served by useGraphiQLPage, with the page's security headers.
      graphiql: false,
      maskedErrors: { maskError },
      // Yoga logs several debug lines per request: a level that is off costs nothing. Errors
      // worth logging are logged with their request ID (useInternalErrorReports), so Yoga's own
      // error lines go to debug.
      logging: {
        debug: yogaLog(logger, 'debug'),
        info: yogaLog(logger, 'info'),
        warn: yogaLog(logger, 'warn'),
        error: yogaLog(logger, 'debug'),
      },
      context: ({ request, req, principal }) => {
        // useAuthentication let the request in with its principal; a request without one cannot
        // have passed it.
        if (!principal) throw new Unauthenticated(NO_CREDENTIAL);
        const context = createContext(
          contextDeps,
          principal,
          {
            requestId: requestIdOf(request),
            ip: clientIp(request, req),
            userAgent: request.headers.get('user-agent'),
          },
          tracing ? requestTraceOf(request) : undefined,
          readsReplica(request),
        );
        if (isQuery(request)) metrics?.queryRead(context.readsFrom);
        return context;
      },
      plugins: [
        // First, so that its spans hold what every other plugin does.
        ...(tracing ? [useTracing(tracing)] : []),
        // Before the plugins that may end a request at execution (the rate limit): its record
        // takes the operation from every executed document, refused ones too.
        useAccessLog(logger, endpoint, metrics?.requestDone),
        EnvelopArmorPlugin({
          maxDepth: { n: 12 },
          maxAliases: { n: 30 },
          maxDirectives: { n: 30 },
          maxTokens: { n: 5000 },
          // Cost is counted in nodes, with the page sizes asked for (src/query-cost.ts).
          costLimit: { enabled: false },
          blockFieldSuggestion: { enabled: false },
        }),
        useNestingLimit((text) => caches.documentCache.has(text)),
        useReadRouting(),
        useStorableText(),
        useQueryCostLimit({ rateLimiter: charges }),
        // Each document is compiled to JavaScript once, then executed without interpretation;
        // without the scope checks where the principal holds every scope they could ask for.
        useCompiledExecution({
          checked: schema,
          unchecked: traced(schemas.unchecked),
          onCompileError: (error) =>
            logger.warn({ error }, 'graphql-jit could not compile a document'),
        }),
        useDeadline(),
        useErrorCodes({ fieldSuggestions: deps.fieldSuggestions ?? true }),
        useInternalErrorReports(logger),
        useRequestIds(),
        ...(metrics ? metrics.plugins() : []),
        ...pages,
        useTransportRules(),
        useBodySizeLimit(),
        deps.corsOrigins?.length ? useVaryByOrigin() : useNoCors(),
        // After the hooks that answer other paths and CORS preflights (which carry no credential),
        // before anything reads the body or the document.
        useAuthentication(deps.authenticate, [endpoint], logger, store.health),
        useDatabaseGate(store.health, [endpoint]),
        // Automatic persisted queries (Apollo Client, urql): a document is sent once, then by its
        // SHA-256 hash; shared by every process (PostgreSQL, or Redis with REDIS_URL), the most
        // recent also in memory for an hour, within a byte budget.
        useAPQ({ store: persistedQueryStore(sharedDocuments) }),
        // Last, so that the request's span ends after every other plugin's onResponse.
        ...(tracing ? [useTracingEnd()] : []),
      ],
    });
  };

  const yoga = serve(
    GRAPHQL_ENDPOINT,
    { checked: publicSchema, unchecked: publicUncheckedSchema },
    [
      useReadiness(store, logger, () => shuttingDown),
      useCardOnFilePages(redemption, logger),
      useRootPointer(GRAPHQL_ENDPOINT),
      ...(renderGraphiQL && deps.graphiql
        ? [useGraphiQLPage(() => renderGraphiQL(deps.graphiql || {}), GRAPHQL_ENDPOINT)]
        : []),
    ],
  );
  // The Apollo Federation subgraph (schema/federation.ts): for a federation gateway only.
  const subgraph = serve(
    SUBGRAPH_ENDPOINT,
    { checked: subgraphSchema, unchecked: uncheckedSubgraphSchema },
    [],
  );
  const isSubgraph = (path: string | undefined) =>
    path === SUBGRAPH_ENDPOINT || path?.startsWith(`${SUBGRAPH_ENDPOINT}?`) === true;

  const webSockets: WebSockets[] = [];
  const stopWatching: (() => void)[] = [];
  // Requests being handled, so that a shutdown can wait for them before closing the store.
  let inFlight = 0;
  let whenIdle: (() => void) | null = null;
  const done = () => {
    inFlight -= 1;
    if (inFlight === 0) whenIdle?.();
  };
  return {
    fetch: (request) =>
      Promise.resolve((isSubgraph(new URL(request.url).pathname) ? subgraph : yoga).fetch(request)),
    handle: (req, res) => {
      inFlight += 1;
      Promise.resolve((isSubgraph(req.url) ? subgraph : yoga).requestListener(req, res)).finally(
        done,
      );
    },
    attach: (server) => {
      stopWatching.push(
        closeStalledClients(server, {
          stallMs: deps.clientStallMs ?? 30_000,
          logger,
          ...(metrics ? { onClose: metrics.stalledClientClosed } : {}),
        }),
      );
      webSockets.push(
        serveWebSockets(server, {
          yoga,
          authenticate: deps.authenticate,
          endpoint: GRAPHQL_ENDPOINT,
          logger,
        }),
      );
    },
    shutDown: async () => {
      shuttingDown = true;
      feed.close();
      // Each subscription's last message (UNAVAILABLE) goes out before its socket closes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(webSockets.map((sockets) => sockets.close()));
      for (const stop of stopWatching) stop();
      await notifications?.close().catch(() => {});
      await sharedDocuments.close?.();
    },
    idle: () =>
      inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            whenIdle = resolve;
          }),
  };
}
