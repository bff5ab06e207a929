// The two answers for a browser or a curious client: GraphiQL at the GraphQL endpoint (a GET that
// accepts HTML), with headers that keep the page from being framed, sniffed or leaking its URL,
// and `GET /`, a short JSON pointing to the endpoints. Served here rather than by Yoga's GraphiQL
// plugin, which sends its page with a bare Content-Type.
import type { Plugin } from 'graphql-yoga';

/** For every HTML page the server sends (the card-on-file pages add their own, stricter CSP). */
export const HTML_PAGE_HEADERS = {
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

// GraphiQL's bundle is inline (no CDN), and its editor starts web workers from blobs.
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function useGraphiQLPage(render: () => string, endpoint: string): Plugin {
  let html: string | null = null;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || request.method !== 'GET') return;
      if (!request.headers.get('accept')?.includes('text/html')) return;
      html ??= render();
      endResponse(
        new fetchAPI.Response(html, {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': GRAPHIQL_CSP,
            ...HTML_PAGE_HEADERS,
          },
        }),
      );
    },
  };
}

export function useRootPointer(endpoint: string): Plugin {
  const body = JSON.stringify({
    name: 'customer-graph',
    graphql: endpoint,
    health: '/healthz',
    ready: '/readyz',
    docs: 'Send GraphQL requests to the graphql endpoint; open it in a browser for GraphiQL.',
  });
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}
