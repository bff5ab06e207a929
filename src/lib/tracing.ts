// OpenTelemetry traces: a tracer provider of the process, exporting over OTLP/HTTP
// (OTEL_EXPORTER_OTLP_ENDPOINT, batched) or to the exporter a test gives, and the spans of SQL
// statements (their text, with placeholders and without values). Off when no endpoint is set:
// then nothing here runs, and no AsyncLocalStorage context is kept per request.
import {
  context,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { StatementObserver } from '../db/client.js';

export interface Tracing {
  tracer: Tracer;
  /** The store's onStatement hook: a span per SQL statement, a child of the active span. */
  observeStatement: StatementObserver;
  /** Sends what is still buffered, and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL: spans are posted to `<endpoint>/v1/traces`, in batches. */
  endpoint?: string;
  /** Or an exporter given each span as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

let contextManager: AsyncLocalStorageContextManager | null = null;
/** The tracer of the tracing started last (one per process, but for tests), for loader batches. */
let current: Tracer | null = null;

/**
 * Runs a DataLoader batch in a span of its own (`load customer`, with its size), when tracing is
 * on: the batch is where a loader-backed field does its I/O, once for all its parents, so its
 * statements are the span's children. Without tracing, only the null check.
 */
export function tracedBatch<T>(name: string, size: number, work: () => Promise<T>): Promise<T> {
  if (!current) return work();
  return inSpan(current, `load ${name}`, () => work(), {
    attributes: { 'dataloader.batch.size': size },
  });
}

/**
 * The active span, when it is this process's and not sampled: its children would not be
 * sampled either (the parent-based samplers), so none is made. With 1 request in 20 traced, the
 * other 19 then cost no span objects and no context switch per phase, resolver, batch and
 * statement. A remote parent (a caller's `traceparent`) does not count: the request's span
 * decides.
 */
function unsampledParent(): Span | undefined {
  const parent = trace.getActiveSpan();
  return parent && !parent.isRecording() && !parent.spanContext().isRemote ? parent : undefined;
}

/** Runs `work` in a new active span, ended when it settles (sync or async). */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  work: (span: Span) => T,
  options: SpanOptions = {},
): T {
  const unsampled = unsampledParent();
  if (unsampled) return work(unsampled);
  return tracer.startActiveSpan(name, options, (span) => {
    let result: T;
    try {
      result = work(span);
    } catch (error) {
      failed(span, error);
      span.end();
      throw error;
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}

const settledUnsampled = () => {};

/** The first word of a statement, as its operation (`SELECT`, `INSERT`, `WITH`, …). */
const operationOf = (statement: string) =>
  /^\s*([a-z]+)/i.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';

export function startTracing(options: TracingOptions): Tracing {
  // The active span follows the request through awaits (AsyncLocalStorage): one manager for the
  // process, whichever providers use it.
  if (!contextManager) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }));
  // Not registered as the global provider: a process may hold several apps (tests), each with its
  // own; the tracer is handed to what makes spans.
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('customer-graph');
  current = tracer;
  return {
    tracer,
    observeStatement: (statement) => {
      if (unsampledParent()) return settledUnsampled;
      const operation = operationOf(statement);
      const span: Span = tracer.startSpan(operation, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          'db.query.text': statement,
        },
      });
      return (error) => {
        if (error !== undefined) failed(span, error);
        span.end();
      };
    },
    shutdown: () => {
      if (current === tracer) current = null;
      return provider.shutdown();
    },
  };
}

/** Marks a span failed, with the error's class and code (never its message: it may hold values). */
export function failed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown })?.code;
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute(
    'error.type',
    typeof code === 'string' ? code : ((error as Error)?.name ?? 'Error'),
  );
}
