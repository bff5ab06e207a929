// The spans of a GraphQL request (with tracing on, lib/tracing.ts): the HTTP request, continuing
// the caller's W3C `traceparent`; parse, validate and execute (with the operation's name and
// type); each root field's resolver; each DataLoader batch (`load customer tags`: the I/O of a
// loader-backed field, once for all its parents); and each SQL statement, a child of the resolver
// or batch that issued it (through the store's onStatement hook).
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { type GraphQLSchema, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { inSpan } from '../lib/tracing.js';

const W3C = new W3CTraceContextPropagator();
const HEADERS: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};
/** Paths not traced: probes. */
const UNTRACED = new Set(['/healthz', '/readyz']);
/**
 * The schema with a span around each root field's resolver (`Query.customer`). The other fields
 * that do I/O read through a DataLoader, whose batch (one for all the parents) is the span
 * (lib/tracing.ts tracedBatch): a span per parent object (50 customers' notes, tags and
 * addresses) cost the bench's list 60% of its throughput, for spans that hold no I/O of their own.
 */
export function withResolverSpans(schema: GraphQLSchema, tracer: Tracer): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (field, fieldName, typeName) => {
      const resolve = field.resolve;
      if (!resolve) return field;
      const name = `${typeName}.${fieldName}`;
      return {
        ...field,
        resolve: (source, args, ctx, info) =>
          inSpan(tracer, name, (span) => {
            span.setAttribute('graphql.field.path', info.path.key.toString());
            return resolve(source, args, ctx, info);
          }),
      };
    },
  });
}

export function useTracing(tracer: Tracer): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const path = new URL(request.url).pathname;
        if (UNTRACED.has(path)) return wrapped();
        const parent = W3C.extract(ROOT_CONTEXT, request.headers, HEADERS);
        return context.with(parent, () =>
          inSpan(tracer, `${request.method} ${path}`, () => wrapped(), {
            kind: SpanKind.SERVER,
            attributes: { 'http.request.method': request.method, 'url.path': path },
          }),
        );
      },
      parse: (_payload, wrapped) => inSpan(tracer, 'graphql.parse', () => wrapped()),
      validate: (_payload, wrapped) => inSpan(tracer, 'graphql.validate', () => wrapped()),
      execute: (_payload, wrapped) => inSpan(tracer, 'graphql.execute', () => wrapped()),
    },
    // Inside the execute span.
    onExecute({ args }) {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return;
      const operation = getOperationAST(args.document, args.operationName);
      span.setAttribute('graphql.operation.type', operation?.operation ?? 'unknown');
      const name = args.operationName ?? operation?.name?.value;
      if (name) span.setAttribute('graphql.operation.name', name);
    },
    onResponse({ response }) {
      // The request's span (none for the untraced probes): the response is made inside it.
      trace.getActiveSpan()?.setAttribute('http.response.status_code', response.status);
    },
  };
}
