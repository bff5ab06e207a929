// CORS by allowlist (CORS_ORIGINS), through Yoga's own CORS handling: a listed origin may call
// from a browser with credentials and read x-request-id; any other origin gets no CORS headers,
// so browsers keep its pages out. Preflights are answered 204 on every path. With an allowlist
// every response says it varies by Origin, so that caches never hand one origin's answer to
// another (Yoga adds Vary only when it lists several origins in one answer); without one, nothing
// depends on the Origin, and Yoga's CORS is left out: its per-response hook alone costs a few
// percent of a small request's CPU (docs/performance.md), so a preflight is answered 204 here.
import type { CORSOptions, Plugin } from 'graphql-yoga';

const METHODS = ['GET', 'POST', 'OPTIONS'];

/** Yoga's `cors` option: the policy for the request's origin, or none. */
export function corsPolicy(origins: readonly string[]): (request: Request) => CORSOptions {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: METHODS,
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    };
  };
}

/** `Vary: Origin` on every response, where an allowlist makes responses depend on the Origin. */
export function useVaryByOrigin(): Plugin {
  return {
    onResponse({ response }) {
      response.headers.append('vary', 'Origin');
    },
  };
}

/** Without an allowlist: a preflight gets 204 and no CORS headers, so browsers refuse it. */
export function useNoCors(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      endResponse(new fetchAPI.Response(null, { status: 204, headers: { 'content-length': '0' } }));
    },
  };
}
