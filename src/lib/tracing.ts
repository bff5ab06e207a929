// OpenTelemetry traces: a tracer provider of the process, exporting over OTLP/HTTP
// (OTEL_EXPORTER_OTLP_ENDPOINT, batched) or to the exporter a test gives, and the spans of one
// sampled request (RequestTrace). Off when no endpoint is set: then nothing here runs.
//
// The sampler (OTEL_TRACES_SAMPLER and its argument, read by config.ts) decides before a request's
// span exists, and a request it drops gets no span at all. The SDK's startSpan decides only after
// drawing IDs, sanitizing attributes and counting the span: about 20 us a request it drops, seen
// running in the server (bench/tracing-in-process.ts: tracing on with none sampled cost 2.5-6% of
// a byid request's CPU that way, against 1.00 for two apps without tracing; docs/performance.md).
//
// Spans are given their parent explicitly, by the request's RequestTrace, not found through a
// context manager. OpenTelemetry's AsyncLocalStorage manager, on Node 20, hooks every promise the
// process makes, traced or not: with no request sampled at all it cost byid 19% of its
// throughput (docs/performance.md). A request the sampler drops has no RequestTrace, and costs
// nothing per phase, resolver, batch or statement.
import {
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SamplingDecision,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SamplerChoice } from '../config.js';
import type { StatementObserver } from '../db/client.js';

export interface Tracing {
  tracer: Tracer;
  /**
   * The span of a request, a child of the caller's span in `parent` if any, when the sampler
   * keeps the request; undefined when it drops it (then no span is made).
   */
  requestSpan(name: string, options: SpanOptions, parent: Context): Span | undefined;
  /** Sends what is still buffered, and stops. */
  shutdown(): Promise<void>;
}

/** The SDK's default: a caller's sampled flag decides, and a request without one is traced. */
const EVERY_REQUEST: SamplerChoice = { name: 'parentbased_always_on', ratio: 1 };

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL: spans are posted to `<endpoint>/v1/traces`, in batches. */
  endpoint?: string;
  /** Or an exporter given each span as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** Which requests are traced; every one (unless its caller's trace is unsampled) by default. */
  sampler?: SamplerChoice;
}

/** The sampler named as OTEL_TRACES_SAMPLER names it, as the SDK would build it from there. */
function samplerOf({ name, ratio }: SamplerChoice): Sampler {
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

export function startTracing(options: TracingOptions): Tracing {
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }));
  const sampler = samplerOf(options.sampler ?? EVERY_REQUEST);
  const ids = new RandomIdGenerator();
  /** The trace ID the sampler decided a new trace on, for its request's span to take. */
  let decided: string | undefined;
  // Not registered as the global provider (nor is any context manager): a process may hold
  // several apps (tests), each with its own; the tracer is handed to what makes spans.
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [processor],
    // Every span asked for is recorded: a request's was sampled by requestSpan, and the others
    // are made only within a sampled request (RequestTrace).
    sampler: new AlwaysOnSampler(),
    idGenerator: {
      generateTraceId: () => decided ?? ids.generateTraceId(),
      generateSpanId: ids.generateSpanId,
    },
  });
  const tracer = provider.getTracer('customer-graph');
  return {
    tracer,
    requestSpan(name, spanOptions, parent) {
      const caller = trace.getSpanContext(parent);
      const continued = caller !== undefined && isSpanContextValid(caller);
      // A new trace's ID is drawn first, so that a ratio sampler decides on the ID the trace
      // will have, as the SDK's does (and as another service sampling by ID would).
      const traceId = continued ? caller.traceId : ids.generateTraceId();
      const { decision } = sampler.shouldSample(
        parent,
        traceId,
        name,
        spanOptions.kind ?? SpanKind.INTERNAL,
        spanOptions.attributes ?? {},
        [],
      );
      if (decision === SamplingDecision.NOT_RECORD) return undefined;
      decided = continued ? undefined : traceId;
      try {
        return tracer.startSpan(name, spanOptions, parent);
      } finally {
        decided = undefined;
      }
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Runs `run` and ends `span` when it settles (sync or async), marked failed if it threw. */
function endedWith<T>(span: Span, run: () => T, after?: () => void): T {
  const end = (failure?: { error: unknown }) => {
    if (failure) failed(span, failure.error);
    after?.();
    span.end();
  };
  let result: T;
  try {
    result = run();
  } catch (error) {
    end({ error });
    throw error;
  }
  if (!(result instanceof Promise)) {
    end();
    return result;
  }
  return result.then(
    (value) => {
      end();
      return value;
    },
    (error: unknown) => {
      end({ error });
      throw error;
    },
  ) as T;
}

/** The first word of a statement, as its operation (`SELECT`, `INSERT`, `WITH`, …). */
const operationOf = (statement: string) =>
  /^\s*([a-z]+)/i.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';

/**
 * The spans of one sampled request, each made a child of the span it belongs to: the phases of
 * the request's span, the root fields of the execution, a DataLoader batch of the field that
 * asked first, and a statement of the batch or field that issued it.
 */
export class RequestTrace {
  readonly #tracer: Tracer;
  /** The request's span (kind SERVER). */
  readonly root: Span;
  #execute: Span | undefined;
  /** The root fields' spans open now. */
  readonly #fields = new Set<Span>();
  /** The phases started and not ended yet. */
  readonly #phases = new Set<Span>();

  constructor(tracer: Tracer, root: Span) {
    this.#tracer = tracer;
    this.root = root;
  }

  get traceId(): string {
    return this.root.spanContext().traceId;
  }

  /**
   * Ends the request's span with its response's status (a 5xx marks it failed), and a phase still
   * open (one a later plugin's hook ended by throwing), marked failed.
   */
  end(status: number): void {
    for (const span of this.#phases) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    this.#phases.clear();
    this.root.setAttribute('http.response.status_code', status);
    if (status >= 500) this.root.setStatus({ code: SpanStatusCode.ERROR });
    this.root.end();
  }

  /**
   * Starts a phase of the request (`graphql.parse`, `graphql.validate`), a child of the request's
   * span; `end` ends it, marked failed with an error.
   */
  phase(name: string): { span: Span; end: (error?: unknown) => void } {
    const span = this.#tracer.startSpan(name, {}, trace.setSpan(ROOT_CONTEXT, this.root));
    this.#phases.add(span);
    const end = (error?: unknown) => {
      if (!this.#phases.delete(span)) return;
      if (error !== undefined) failed(span, error);
      span.end();
    };
    return { span, end };
  }

  /** The execution phase, the parent of the root fields. */
  execution(): { span: Span; end: (error?: unknown) => void } {
    const started = this.phase('graphql.execute');
    this.#execute = started.span;
    return started;
  }

  /**
   * Where a span that is not a phase belongs: the root field running, if one alone is (a
   * mutation's fields run one by one; most queries have one); else the execution, or the request.
   * Fields of the same query running side by side share the execution as their statements'
   * parent, a batch being the I/O that most fields do.
   */
  current(): Span {
    if (this.#fields.size === 1) {
      for (const field of this.#fields) return field;
    }
    return this.#execute ?? this.root;
  }

  /** Runs `work` in a new span, a child of `parent`, ended when it settles. */
  run<T>(name: string, parent: Span, work: (span: Span) => T, options: SpanOptions = {}): T {
    const span = this.#tracer.startSpan(name, options, trace.setSpan(ROOT_CONTEXT, parent));
    return endedWith(span, () => work(span));
  }

  /** A root field's resolver (`Query.customer`). */
  field<T>(name: string, work: (span: Span) => T): T {
    const span = this.#tracer.startSpan(
      name,
      {},
      trace.setSpan(ROOT_CONTEXT, this.#execute ?? this.root),
    );
    this.#fields.add(span);
    return endedWith(
      span,
      () => work(span),
      () => this.#fields.delete(span),
    );
  }

  /** A DataLoader batch (`load customer`, with its size). */
  batch<T>(name: string, size: number, work: (span: Span) => Promise<T>): Promise<T> {
    return this.run(`load ${name}`, this.current(), work, {
      attributes: { 'dataloader.batch.size': size },
    });
  }

  /** A store observer making a span per SQL statement, a child of `parent()` when issued. */
  statements(parent: () => Span): StatementObserver {
    return (statement) => {
      const operation = operationOf(statement);
      const span = this.#tracer.startSpan(
        operation,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.operation.name': operation,
            'db.query.text': statement,
          },
        },
        trace.setSpan(ROOT_CONTEXT, parent()),
      );
      return (error) => {
        if (error !== undefined) failed(span, error);
        span.end();
      };
    };
  }
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
