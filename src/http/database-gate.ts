// While the database is known to be down (db/health.ts), a GraphQL request is answered at once:
// 503 UNAVAILABLE with Retry-After, before its document is parsed, instead of waiting on the
// pool's connection attempts. A response carrying UNAVAILABLE makes the health watch confirm
// with a ping, which is how the database comes to count as down.
import type { Plugin } from 'graphql-yoga';
import type { Health } from '../db/health.js';
import { Unavailable } from '../errors.js';
import { codeResponse } from './error-response.js';

export function useDatabaseGate(health: Health, endpoints: readonly string[]): Plugin {
  const refusal = new Unavailable();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (health.available() || !endpoints.includes(url.pathname)) return;
      endResponse(codeResponse(fetchAPI, request, refusal.code, refusal.message));
    },
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors) return;
      if (result.errors.some((error) => error.extensions?.code === 'UNAVAILABLE')) {
        health.suspect();
      }
    },
  };
}
