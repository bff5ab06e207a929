// Authentication at the door: a request to a GraphQL endpoint is authenticated before its body is
// read or its document parsed, so that an anonymous caller learns nothing about the schema (no
// field suggestions, no persisted-query registration, no cost computed) and gets only
// 401 UNAUTHENTICATED. The principal rides on the server context, where createContext finds it.
// GraphiQL's page (GET with Accept: text/html) is served before this hook runs, and needs none.
import type { Plugin } from 'graphql-yoga';
import type { Authenticate } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { databaseFault } from '../db/faults.js';
import type { Health } from '../db/health.js';
import { Unauthenticated } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import {
  codeResponse,
  errorResponse,
  internalErrorResponse,
  WWW_AUTHENTICATE,
} from './error-response.js';
import { requestIdOf } from './request-id.js';

/** What the door leaves on the server context of a request it let in. */
export interface AuthenticatedServerContext {
  principal?: Principal;
}

export function useAuthentication(
  authenticate: Authenticate,
  endpoints: readonly string[],
  logger: Logger,
  health: Health,
): Plugin<Record<string, unknown>, AuthenticatedServerContext> {
  return {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (!endpoints.includes(url.pathname)) return;
      const admit = (principal: Principal) => {
        serverContext.principal = principal;
      };
      const refuse = (error: unknown) => {
        if (error instanceof Unauthenticated) {
          endResponse(
            errorResponse(fetchAPI, request, 401, error.message, 'UNAUTHENTICATED', {
              'www-authenticate': WWW_AUTHENTICATE,
            }),
          );
          return;
        }
        // An API key is looked up in the database, which may be unreachable.
        const fault = databaseFault(error);
        if (fault) {
          if (fault.code === 'UNAVAILABLE') health.suspect();
          endResponse(codeResponse(fetchAPI, request, fault.code, fault.message));
          return;
        }
        const requestId = requestIdOf(request);
        logger.error({ requestId, error }, 'authentication failed');
        endResponse(internalErrorResponse(fetchAPI, request, requestId));
      };
      try {
        const principal = authenticate(request.headers.get('authorization'));
        // Synchronous for a credential verified before: no promise on the common path.
        if (principal instanceof Promise) return principal.then(admit, refuse);
        admit(principal);
      } catch (error) {
        refuse(error);
      }
    },
  };
}
