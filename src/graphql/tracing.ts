// The spans of a GraphQL request (with tracing on, lib/tracing.ts): the HTTP request, continuing
// the caller's W3C `traceparent`; parse, validate and execute (with the operation's name and
// type); each root field's resolver; each DataLoader batch (`load customer tags`: the I/O of a
// loader-backed field, once for all its parents); and each SQL statement, a child of the
// resolver or batch that issued it (context.ts gives each its own observed database).
//
// A request the sampler keeps gets a RequestTrace, found by its Request here and on its context
// (ctx.trace) by what makes the other spans. WebSocket operations, which have no HTTP request of
// their own, are not traced.
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { ROOT_CONTEXT, SpanKind, type TextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type GraphQLSchema, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { RequestTrace, type Tracing } from '../lib/tracing.js';

const W3C = new W3CTraceContextPropagator();
const HEADERS: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};
/** Paths not traced: probes. */
const UNTRACED = new Set(['/healthz', '/readyz']);

/** The sampled requests' traces. */
const traces = new WeakMap<Request, RequestTrace>();
/** The trace IDs of the requests a caller traced but did not sample, for their log lines. */
const unsampled = new WeakMap<Request, string>();

/** The trace a request is part of, sampled or not, when it is in one (its log line names it). */
export const traceIdOf = (request: Request): string | undefined =>
  traces.get(request)?.traceId ?? unsampled.get(request);

/** The request's trace, when it is sampled (its context keeps it as ctx.trace). */
export const requestTraceOf = (request: Request): RequestTrace | undefined => traces.get(request);

/**
 * The schema with a span around each root field's resolver (`Query.customer`). The other fields
 * that do I/O read through a DataLoader, whose batch (one for all the parents) is the span: a
 * span per parent object (50 customers' notes, tags and addresses) cost the bench's list 60% of
 * its throughput, for spans that hold no I/O of their own.
 */
export function withResolverSpans(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (field, fieldName, typeName) => {
      const resolve = field.resolve;
      if (!resolve) return field;
      const name = `${typeName}.${fieldName}`;
      return {
        ...field,
        resolve: (source, args, ctx: Context, info) =>
          ctx.trace
            ? ctx.trace.field(name, (span) => {
                span.setAttribute('graphql.field.path', info.path.key.toString());
                return resolve(source, args, ctx, info);
              })
            : resolve(source, args, ctx, info),
      };
    },
  });
}

/**
 * The spans of a sampled request from hooks: the request's from `onRequest` (this plugin comes
 * first) to the `onResponse` of useTracingEnd (last), and parse, validate and execute from their
 * hooks to their results. Not Yoga's `instrumentation`: its presence alone, wrapping every
 * request's handler and phases in functions and promises of their own, cost a byid request
 * 2-4% of its CPU with no request sampled (bench/tracing-in-process.ts, docs/performance.md).
 */
export function useTracing(
  tracing: Pick<Tracing, 'tracer' | 'requestSpan'>,
): Plugin<{ request: Request }> {
  return {
    onRequest({ request, url }) {
      const path = url.pathname;
      if (UNTRACED.has(path)) return;
      const parent = W3C.extract(ROOT_CONTEXT, request.headers, HEADERS);
      const span = tracing.requestSpan(
        `${request.method} ${path}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'url.path': path },
        },
        parent,
      );
      if (!span) {
        const caller = trace.getSpanContext(parent);
        if (caller) unsampled.set(request, caller.traceId);
        return;
      }
      traces.set(request, new RequestTrace(tracing.tracer, span));
    },
    onParse({ context }) {
      const parse = traces.get(context.request)?.phase('graphql.parse');
      return parse && (({ result }) => parse.end(result instanceof Error ? result : undefined));
    },
    onValidate({ context }) {
      const validate = traces.get(context.request)?.phase('graphql.validate');
      return validate && (() => validate.end());
    },
    onExecute({ args }) {
      const t = traces.get((args.contextValue as { request: Request }).request);
      if (!t) return;
      const { span, end } = t.execution();
      const operation = getOperationAST(args.document, args.operationName);
      span.setAttribute('graphql.operation.type', operation?.operation ?? 'unknown');
      const name = args.operationName ?? operation?.name?.value;
      if (name) span.setAttribute('graphql.operation.name', name);
      return { onExecuteDone: () => end() };
    },
  };
}

/** Ends a sampled request's span with its response's status: the last plugin's onResponse. */
export function useTracingEnd(): Plugin {
  return {
    onResponse({ request, response }) {
      traces.get(request)?.end(response.status);
    },
  };
}
