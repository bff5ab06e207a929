// GraphQL over WebSocket (the graphql-ws protocol, on the `ws` server) at /graphql, beside SSE:
// the same schema, plugins and context as HTTP requests, through Yoga's envelop (Yoga's recipe).
// The credential comes in the connection_init payload (`{ "authorization": "Bearer …" }`, what
// browsers can send) or the upgrade request's Authorization header; without a valid one the
// socket is closed with 4403 before any document is read.
import type { IncomingMessage, Server } from 'node:http';
import type { DocumentNode, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Authenticate } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { Context } from '../context.js';
import type { Logger } from '../lib/logger.js';
import type { AuthenticatedServerContext } from './authentication.js';

export interface WebSockets {
  /** Closes every socket (1001, going away) and stops accepting new ones. */
  close(): Promise<void>;
}

type Yoga = YogaServerInstance<{ req?: IncomingMessage } & AuthenticatedServerContext, Context>;

/** The WHATWG request a WebSocket's operations run with (headers of the upgrade request). */
function requestOf(upgrade: IncomingMessage, endpoint: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upgrade.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://localhost${endpoint}`, { headers });
}

export function serveWebSockets(
  server: Server,
  deps: { yoga: Yoga; authenticate: Authenticate; endpoint: string; logger: Logger },
): WebSockets {
  const { yoga, authenticate, endpoint, logger } = deps;
  const sockets = new WebSocketServer({ server, path: endpoint });
  const principals = new WeakMap<object, Principal>();
  const served = useServer<Record<string, unknown> | undefined>(
    {
      onConnect: async (ctx) => {
        const fromPayload = ctx.connectionParams?.authorization;
        const authorization =
          typeof fromPayload === 'string'
            ? fromPayload
            : (ctx.extra.request.headers.authorization ?? null);
        try {
          principals.set(ctx.extra.socket, await authenticate(authorization));
          return true;
        } catch (error) {
          logger.debug({ error }, 'WebSocket connection refused');
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = principals.get(ctx.extra.socket);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          request: requestOf(ctx.extra.request, endpoint),
          req: ctx.extra.request,
          ...(principal ? { principal } : {}),
          params: payload,
        } as never);
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      execute: (args) =>
        (args.rootValue as { execute: (a: typeof args) => unknown }).execute(args) as never,
      subscribe: (args) =>
        (args.rootValue as { subscribe: (a: typeof args) => unknown }).subscribe(args) as never,
    },
    sockets,
  );
  return {
    close: async () => {
      await served.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
