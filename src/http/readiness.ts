// /readyz answers 200 only while the database answers within a second (Yoga's readiness check)
// and the process is not shutting down, with a JSON body either way; why the database is unreachable goes to the log, not to the
// anonymous caller.
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Store } from '../db/client.js';
import type { Logger } from '../lib/logger.js';

export function useReadiness(store: Store, logger: Logger, shuttingDown: () => boolean): Plugin {
  const json = { 'content-type': 'application/json' };
  return useReadinessCheck({
    endpoint: '/readyz',
    check: async ({ fetchAPI }) => {
      if (shuttingDown()) {
        return new fetchAPI.Response('{"status":"shutting down"}', { status: 503, headers: json });
      }
      try {
        await store.health.check();
        return new fetchAPI.Response('{"status":"ready"}', { headers: json });
      } catch (error) {
        logger.warn({ error }, 'readiness check failed');
        return new fetchAPI.Response('{"status":"database unavailable"}', {
          status: 503,
          headers: json,
        });
      }
    },
  });
}
