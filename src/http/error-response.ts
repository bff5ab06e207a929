// GraphQL error responses made outside Yoga's execution (by plugins that answer before a
// document runs), in the media type the client accepts, as Yoga's own answers are.
import type { FetchAPI } from 'graphql-yoga';

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
