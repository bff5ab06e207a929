// Every request has an ID (for logs, masked errors and the x-request-id header), kept per Request
// object: no AsyncLocalStorage, which on Node 20 hooks every promise of every request.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const requestIds = new WeakMap<Request, string>();

/**
 * The request's ID: the caller's X-Request-ID when it is harmless (so that logs line up across
 * services), else a new one; the same for the whole request.
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** Echoes the request ID in every response, so that a client can quote it. */
export function useRequestIds(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
