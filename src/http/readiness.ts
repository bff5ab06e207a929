// /readyz answers 200 only while the database answers.
import type { Plugin } from 'graphql-yoga';
import type { Store } from '../db/client.js';
import type { Logger } from '../lib/logger.js';

export function useReadiness(store: Store, logger: Logger): Plugin {
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
