// CORS by allowlist (CORS_ORIGINS). A listed origin may call from a browser with credentials and
// read x-request-id; any other origin gets no CORS headers, so browsers keep its pages out.
// With an allowlist every response says it varies by Origin, so that caches never hand one
// origin's answer to another; without one nothing depends on the Origin and responses are left
// as they are (a header added to every response costs Yoga's fast path for sending it).
import type { Plugin } from 'graphql-yoga';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-request-id';

export function useCorsAllowlist(origins: readonly string[]): Plugin {
  const allowed = new Set(origins);
  const listed = (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.has(origin) ? origin : null;
  };
  const plugin: Plugin = {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      // A preflight: answered here, whatever the path, with the policy for its origin.
      const headers = new fetchAPI.Headers({ 'content-length': '0' });
      if (listed(request)) {
        headers.set('access-control-allow-methods', ALLOWED_METHODS);
        headers.set(
          'access-control-allow-headers',
          request.headers.get('access-control-request-headers') ?? ALLOWED_HEADERS,
        );
        headers.set('access-control-max-age', '600');
      }
      endResponse(new fetchAPI.Response(null, { status: 204, headers }));
    },
  };
  if (allowed.size === 0) return plugin;
  return {
    ...plugin,
    onResponse({ request, response }) {
      response.headers.append('vary', 'Origin');
      const origin = listed(request);
      if (!origin) return;
      response.headers.set('access-control-allow-origin', origin);
      response.headers.set('access-control-allow-credentials', 'true');
      response.headers.set('access-control-expose-headers', 'x-request-id');
    },
  };
}
