// createApp(deps) -> the HTTP application: GraphQL at /graphql (POST and GET per the
// GraphQL-over-HTTP spec, GraphiQL in a browser), /healthz and /readyz. No listening and no
// environment reads here: tests call app.fetch, main.ts serves app.handle.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createInMemoryAPQStore, useAPQ } from '@graphql-yoga/plugin-apq';
import { createYoga, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import type { Authenticate } from './auth.js';
import { useBodySizeLimit } from './body-limit.js';
import { useCardOnFilePages } from './cof-pages.js';
import { type Context, createContext } from './context.js';
import { useCorsAllowlist } from './cors.js';
import type { Store } from './db/client.js';
import { maskError, useErrorCodes, useInternalErrorReports } from './graphql-errors.js';
import type { Logger } from './logger.js';
import { useQueryCostLimit } from './query-cost.js';
import { requestIdOf, totals } from './request-scope.js';
import { schema } from './schema/index.js';
import {
  type CardOnFileProvider,
  cofRedemptionService,
  developmentCardProvider,
} from './services/card-on-file.js';

export interface AppDeps {
  store: Store;
  authenticate: Authenticate;
  logger: Logger;
  customerQuota: number;
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
  /** Serve process-wide request and SQL statement counters at /metrics. */
  metrics?: boolean;
  /** Browser origins allowed to call cross-origin, with credentials; none by default. */
  corsOrigins?: readonly string[];
}

export interface App {
  /** Handles one request (WHATWG fetch API). */
  fetch(request: Request): Promise<Response>;
  /** Node's http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when no request given to `handle` is still being handled. */
  idle(): Promise<void>;
}

/** Counts requests, and echoes the request ID in every response, so a client can quote it. */
function useRequestIds(): Plugin {
  return {
    onRequest() {
      totals.requests += 1;
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}

/** /metrics: process-wide counters in Prometheus' text format. */
function useMetrics(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      const body = [
        '# TYPE customer_graph_requests_total counter',
        `customer_graph_requests_total ${totals.requests}`,
        '# TYPE customer_graph_sql_statements_total counter',
        `customer_graph_sql_statements_total ${totals.statements}`,
        '',
      ].join('\n');
      endResponse(
        new fetchAPI.Response(body, { headers: { 'content-type': 'text/plain; version=0.0.4' } }),
      );
    },
  };
}

/** /readyz answers 200 only while the database answers. */
function useReadiness(store: Store, logger: Logger): Plugin {
  type Payload = Parameters<NonNullable<Plugin['onRequest']>>[0];
  async function answer({ endResponse, fetchAPI }: Payload) {
    try {
      await store.ping();
      endResponse(
        new fetchAPI.Response('{"status":"ready"}', {
          headers: { 'content-type': 'application/json' },
        }),
      );
    } catch (error) {
      logger.warn('readiness check failed', { error });
      endResponse(
        new fetchAPI.Response('{"status":"database unavailable"}', {
          status: 503,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }
  }
  return {
    // Synchronous for every other path (see useCardOnFilePages).
    onRequest(payload) {
      if (payload.url.pathname === '/readyz') return answer(payload);
    },
  };
}

const noop = () => {};

export async function createApp(deps: AppDeps): Promise<App> {
  const { store, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const contextDeps = {
    db: store.db,
    authenticate: deps.authenticate,
    customerQuota: deps.customerQuota,
    clock,
    publicBaseUrl: deps.publicBaseUrl,
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

  const yoga = createYoga<{ req?: IncomingMessage }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    cors: false,
    // Limited by useBodySizeLimit, which does not stream every body through a TransformStream.
    maxRequestBodySize: false,
    graphiql: deps.graphiql === false ? false : deps.graphiql,
    ...(renderGraphiQL ? { renderGraphiQL } : {}),
    maskedErrors: { maskError },
    // Yoga logs several debug lines per request: a level that is off costs nothing.
    logging: {
      debug: logger.enabled('debug')
        ? (...args) => logger.debug(String(args[0]), { detail: args.slice(1) })
        : noop,
      info: logger.enabled('info')
        ? (...args) => logger.info(String(args[0]), { detail: args.slice(1) })
        : noop,
      warn: logger.enabled('warn')
        ? (...args) => logger.warn(String(args[0]), { detail: args.slice(1) })
        : noop,
      // Errors worth logging are logged with their request ID (useInternalErrorReports).
      error: logger.enabled('debug')
        ? (...args) => logger.debug(String(args[0]), { detail: args.slice(1) })
        : noop,
    },
    context: ({ request, req }) =>
      createContext(contextDeps, request.headers.get('authorization'), {
        requestId: requestIdOf(request),
        ip: clientIp(request, req),
        userAgent: request.headers.get('user-agent'),
      }),
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 30 },
        maxDirectives: { n: 30 },
        maxTokens: { n: 5000 },
        // Cost is counted in nodes, with the page sizes asked for (src/query-cost.ts).
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: false },
      }),
      useQueryCostLimit(),
      // Each document is compiled to JavaScript once, then executed without interpretation.
      useGraphQlJit(
        {},
        { onError: (error) => logger.warn('graphql-jit could not compile a document', { error }) },
      ),
      useErrorCodes(),
      useInternalErrorReports(logger),
      useRequestIds(),
      useReadiness(store, logger),
      ...(deps.metrics ? [useMetrics()] : []),
      useCardOnFilePages(redemption, logger),
      useBodySizeLimit(),
      useCorsAllowlist(deps.corsOrigins ?? []),
      // Automatic persisted queries (Apollo Client, urql): a document is sent once, then by its
      // SHA-256 hash; kept in memory, the 1,000 most recent for an hour.
      useAPQ({ store: createInMemoryAPQStore({ max: 1000, ttl: 3_600_000 }) }),
    ],
  });

  // Requests being handled, so that a shutdown can wait for them before closing the store.
  let inFlight = 0;
  let whenIdle: (() => void) | null = null;
  const done = () => {
    inFlight -= 1;
    if (inFlight === 0) whenIdle?.();
  };
  return {
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    handle: (req, res) => {
      inFlight += 1;
      Promise.resolve(yoga.requestListener(req, res)).finally(done);
    },
    idle: () =>
      inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            whenIdle = resolve;
          }),
  };
}
