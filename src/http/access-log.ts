// One log line per GraphQL request, as an operator reads them: operation, type, HTTP status,
// duration, request ID, company, actor and cost (and the trace ID with tracing on), never a
// variable's value (no phone, e-mail, name or note text reaches the log through it); and the
// same request's duration for the metrics, from the same record (one set of hooks). The record
// rides on the server context, which Yoga spreads into the GraphQL context: no WeakMap keyed by
// the request, whose values would outlive the request in V8's young generation
// (docs/performance.md).
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { traceIdOf } from '../graphql/tracing.js';
import type { Logger } from '../lib/logger.js';
import { requestIdOf } from './request-id.js';

interface AccessRecord {
  started: number;
  operation?: string | undefined;
  type?: string | undefined;
  context?: Context | undefined;
}

interface WithRecord {
  accessRecord?: AccessRecord;
}

/** Where a finished request's duration goes (http/metrics.ts). */
export type RequestDone = (
  operation: string | undefined,
  type: string | undefined,
  status: number,
  seconds: number,
) => void;

export function useAccessLog(
  logger: Logger,
  endpoint: string,
  measured?: RequestDone,
): Plugin<Context, WithRecord> {
  const logged = logger.isLevelEnabled('info');
  if (!logged && !measured) return {};
  return {
    onRequest({ url, serverContext }) {
      if (url.pathname === endpoint) serverContext.accessRecord = { started: performance.now() };
    },
    onExecute({ args }) {
      const context = args.contextValue as Context & WithRecord;
      const record = context.accessRecord;
      if (!record) return;
      const operation = getOperationAST(args.document, args.operationName);
      record.context = context;
      record.operation = args.operationName ?? operation?.name?.value;
      record.type = operation?.operation;
    },
    onResponse({ request, response, serverContext }) {
      const record = serverContext.accessRecord;
      if (!record) return;
      const ms = performance.now() - record.started;
      measured?.(record.operation, record.type, response.status, ms / 1000);
      if (!logged) return;
      const context = record.context;
      // With tracing on, the request's trace ID joins the line.
      const traceId = traceIdOf(request);
      logger.info(
        {
          requestId: requestIdOf(request),
          operation: record.operation ?? null,
          type: record.type ?? null,
          status: response.status,
          ms: Math.round(ms * 10) / 10,
          company: context?.principal.companyId ?? null,
          actor: context?.principal.actorId ?? null,
          cost: context?.cost?.requestedQueryCost ?? null,
          ...(traceId ? { traceId } : {}),
        },
        'request',
      );
    },
  };
}
