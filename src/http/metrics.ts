// Process-wide counters, served at /metrics when METRICS is on (the benchmark reads them).
import type { Plugin } from 'graphql-yoga';

export const totals = { requests: 0, statements: 0 };

/** Counts one SQL statement (the store's onQuery hook). */
export function countStatement(): void {
  totals.statements += 1;
}

/** /metrics: the counters in Prometheus' text format. */
export function useMetrics(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      const body = [
        '# TYPE customer_graph_requests_total counter',
        `customer_graph_requests_total ${totals.requests}`,
        '# TYPE customer_graph_sql_statements_total counter',
        `customer_graph_sql_statements_total ${totals.statements}`,
        '',
      ].join('\n');
      endResponse(
        new fetchAPI.Response(body, { headers: { 'content-type': 'text/plain; version=0.0.4' } }),
      );
    },
  };
}
