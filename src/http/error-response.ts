// GraphQL error responses made outside Yoga's execution (by plugins that answer before a
// document runs), in the media type the client accepts, as Yoga's own answers are.
import type { FetchAPI } from 'graphql-yoga';
import { type ErrorCode, UNAVAILABLE_RETRY_AFTER_S } from '../errors.js';

export const WWW_AUTHENTICATE = 'Bearer realm="customer-graph"';

/** The HTTP answer of a code, where it is not 200 (the highest of a response's errors wins). */
export const HTTP_OF_CODE: Partial<
  Record<ErrorCode, { status: number; headers: Record<string, string> }>
> = {
  UNAUTHENTICATED: { status: 401, headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } },
  DEADLINE_EXCEEDED: { status: 504, headers: {} },
  UNAVAILABLE: { status: 503, headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) } },
};

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

const INTERNAL_MESSAGE = 'Internal error. Quote the requestId when reporting it.';

export function errorResponse(
  fetchAPI: FetchAPI,
  request: Request,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  const type = request.headers.get('accept')?.includes(GRAPHQL_RESPONSE)
    ? GRAPHQL_RESPONSE
    : 'application/json';
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  return new fetchAPI.Response(body, {
    status,
    headers: { 'content-type': `${type}; charset=utf-8`, ...headers },
  });
}

export const internalErrorResponse = (fetchAPI: FetchAPI, request: Request, requestId: string) =>
  errorResponse(fetchAPI, request, 500, INTERNAL_MESSAGE, 'INTERNAL', {}, { requestId });

/** A DomainError answered outside execution, with its code's status and headers. */
export function codeResponse(
  fetchAPI: FetchAPI,
  request: Request,
  code: ErrorCode,
  message: string,
): Response {
  const http = HTTP_OF_CODE[code] ?? { status: 400, headers: {} };
  return errorResponse(fetchAPI, request, http.status, message, code, http.headers);
}
