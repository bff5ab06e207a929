// Traces: with tracing on, a request continues the caller's W3C traceparent, and its spans form
// one tree: the HTTP request, parse/validate/execute, the resolvers that do I/O, and their SQL
// statements (text with placeholders, never values). The request's log line carries the trace ID.
import { ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamplerChoice } from '../src/config.js';
import type { Store } from '../src/db/client.js';
import type { App } from '../src/http/app.js';
import { startTracing, type Tracing } from '../src/lib/tracing.js';
import { createCustomer } from './helpers/customers.js';
import { newCompany, openTestStore, useTestEnv } from './helpers/env.js';

const env = useTestEnv();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

let exporter: InMemorySpanExporter;
let tracing: Tracing;
let store: Store;
let app: App;

beforeAll(async () => {
  exporter = new InMemorySpanExporter();
  tracing = startTracing({ serviceName: 'customer-graph-test', exporter });
  store = await openTestStore();
  app = await env.makeApp({ store, tracing });
});

afterAll(async () => {
  await store.close();
  await tracing.shutdown();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe('tracing', () => {
  it("continues the caller's trace with one span tree, down to each SQL statement", async () => {
    const company = await newCompany(env);
    const created = await createCustomer(
      { ...company, gql: (q, v, o = {}) => company.gql(q, v, { ...o, app }) },
      { notes: [{ note: 'Prefers mornings.' }], tags: [{ name: 'VIP' }] },
    );
    exporter.reset();
    const response = await company.gql<{ customer: { id: string } }>(
      `query Traced($id: ID!) { customer(id: $id) { id notes(first: 5) { edges { node { note } } } tags { name } } }`,
      { id: created.id },
      { app, headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer.id).toBe(created.id);

    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((s) => s.spanContext().traceId === TRACE_ID)).toBe(true);

    const [server] = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('POST /graphql');
    expect(parentOf(server!)).toBe(CALLER_SPAN);
    expect(server?.attributes['http.response.status_code']).toBe(200);

    const id = server!.spanContext().spanId;
    const phases = ['graphql.parse', 'graphql.validate', 'graphql.execute'].map(
      (name) => byName(spans, name)[0],
    );
    for (const phase of phases) expect(phase && parentOf(phase)).toBe(id);
    const execute = phases[2]!;
    expect(execute.attributes).toMatchObject({
      'graphql.operation.name': 'Traced',
      'graphql.operation.type': 'query',
    });

    // The rate limit's charge (its statement may serve other requests too: no child), then the
    // root field's resolver, under the execution; the loader batches (the I/O of the
    // customer, its notes and its tags) as spans of their own, one per batch.
    const [charge] = byName(spans, 'rate limit charge');
    expect(charge && parentOf(charge)).toBe(execute.spanContext().spanId);
    const [root] = byName(spans, 'Query.customer');
    expect(root && parentOf(root)).toBe(execute.spanContext().spanId);
    const [ofCustomer] = byName(spans, 'load customer');
    expect(ofCustomer && parentOf(ofCustomer)).toBe(root!.spanContext().spanId);
    expect(ofCustomer?.attributes['dataloader.batch.size']).toBe(1);
    expect(byName(spans, 'load notes page')).toHaveLength(1);
    expect(byName(spans, 'load customer tags')).toHaveLength(1);
    expect(byName(spans, 'Customer.firstName')).toHaveLength(0);

    // Each statement of a batch is its child, with its text and none of its values.
    const batches = spans.filter((s) => s.name.startsWith('load '));
    const statements = spans.filter((s) => s.kind === SpanKind.CLIENT);
    for (const batch of batches) {
      const children = statements.filter((s) => parentOf(s) === batch.spanContext().spanId);
      expect(children.length, batch.name).toBeGreaterThanOrEqual(1);
    }
    for (const statement of statements) {
      const text = String(statement.attributes['db.query.text']);
      expect(text).toMatch(/\$1/);
      expect(text).not.toContain(created.id);
      expect(text).not.toContain(company.id);
      expect(statement.attributes['db.system.name']).toBe('postgresql');
    }

    // The request's log line names the trace.
    const line = env.logs
      .map((l) => JSON.parse(l) as { message: string; operation?: string; traceId?: string })
      .find((l) => l.message === 'request' && l.operation === 'Traced');
    expect(line?.traceId).toBe(TRACE_ID);
  });

  it("makes a mutation's statements children of its field, in one trace per request", async () => {
    const company = await newCompany(env);
    const created = await createCustomer({
      ...company,
      gql: (q, v, o = {}) => company.gql(q, v, { ...o, app }),
    });
    exporter.reset();
    // Two requests at once: each span stays in its own request's trace.
    const append = (note: string) =>
      company.gql(
        `mutation Append($input: AppendCustomerNotesInput!) {
          appendCustomerNotes(input: $input) { customer { id } }
        }`,
        { input: { customerId: created.id, notes: [{ note }] } },
        { app },
      );
    const responses = await Promise.all([append('First.'), append('Second.')]);
    for (const response of responses) expect(response.errors).toBeUndefined();

    const spans = exporter.getFinishedSpans();
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(2);
    for (const server of servers) {
      const traceId = server.spanContext().traceId;
      const own = spans.filter((s) => s.spanContext().traceId === traceId);
      const [field] = byName(own, 'Mutation.appendCustomerNotes');
      expect(field).toBeDefined();
      const inserts = own.filter(
        (s) => s.kind === SpanKind.CLIENT && s.attributes['db.operation.name'] === 'INSERT',
      );
      expect(inserts.length).toBeGreaterThanOrEqual(1);
      for (const insert of inserts) expect(parentOf(insert)).toBe(field!.spanContext().spanId);
    }
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(2);
  });

  it('starts a trace of its own without a traceparent; probes are not traced', async () => {
    const company = await newCompany(env);
    exporter.reset();
    await company.gql('{ customer(id: "cus_none") { id } }', {}, { app });
    const spans = exporter.getFinishedSpans();
    const [server] = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(server).toBeDefined();
    expect(parentOf(server!)).toBeUndefined();
    expect(server!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    // A probe is not traced.
    exporter.reset();
    await app.fetch(new Request('http://localhost/healthz'));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('ends every span of a request that fails: a syntax error, an invalid document, a refusal', async () => {
    const refusing = await env.makeApp({
      store,
      tracing,
      rateLimit: { capacity: 100, restorePerSecond: 0.001 },
    });
    const company = await newCompany(env);
    const ids = Array.from({ length: 45 }, (_, i) => `cus_missing${i}`);
    const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    // Two documents of cost 45 leave the bucket too little for a third.
    for (let i = 0; i < 2; i += 1) await company.gql(NODES, { ids }, { app: refusing });
    const cases: [string, Record<string, unknown>, App, number, string[]][] = [
      ['{ customer(id: ', {}, app, 400, ['graphql.parse']],
      ['{ customer(id: "cus_x") { noSuchField } }', {}, app, 400, ['graphql.validate']],
      [NODES, { ids }, refusing, 429, ['graphql.execute']],
    ];
    for (const [query, variables, on, status, phases] of cases) {
      exporter.reset();
      const response = await company.gql(query, variables, { app: on });
      expect(response.status, query).toBe(status);
      const spans = exporter.getFinishedSpans();
      const [server] = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(server?.attributes['http.response.status_code'], query).toBe(status);
      // Every span is ended and hangs from the request's, in one trace.
      const known = new Set(spans.map((s) => s.spanContext().spanId));
      for (const span of spans) {
        if (span !== server) expect(known.has(parentOf(span)!), span.name).toBe(true);
        expect(span.ended, span.name).toBe(true);
      }
      for (const phase of phases) expect(byName(spans, phase), query).toHaveLength(1);
    }
  });

  it('makes no span for a request the caller did not sample, nor for its resolvers and SQL', async () => {
    const company = await newCompany(env);
    exporter.reset();
    const response = await company.gql<{ customer: { id: string } | null }>(
      '{ customer(id: "cus_none") { id notes(first: 1) { edges { node { id } } } } }',
      {},
      { app, headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` } },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    // Its log line still names the caller's trace.
    const line = env.logs
      .map((l) => JSON.parse(l) as { message: string; company?: string; traceId?: string })
      .find((l) => l.message === 'request' && l.company === company.id);
    expect(line?.traceId).toBe(TRACE_ID);
  });
});

describe('sampling (OTEL_TRACES_SAMPLER), decided before a request has a span', () => {
  /** An app over the suite's store whose tracing samples as `sampler` says. */
  const sampledBy = async (sampler: SamplerChoice) => {
    const spans = new InMemorySpanExporter();
    const sampling = startTracing({ serviceName: 'customer-graph-test', exporter: spans, sampler });
    const sampledApp = await env.makeApp({ store, tracing: sampling });
    return { spans, sampledApp, sampling };
  };

  it('keeps a share of new traces, each decided on the trace ID it then has', async () => {
    const { spans, sampledApp, sampling } = await sampledBy({
      name: 'parentbased_traceidratio',
      ratio: 0.5,
    });
    const company = await newCompany(env);
    for (let i = 0; i < 120; i++) {
      const response = await company.gql(
        '{ customer(id: "cus_none") { id } }',
        {},
        {
          app: sampledApp,
        },
      );
      expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const servers = spans.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    // (Its exporter forgets its spans when shut down.)
    await sampling.shutdown();
    // Half of 120, give or take what chance allows (the odds of leaving 30..90: below 1e-7).
    expect(servers.length).toBeGreaterThan(30);
    expect(servers.length).toBeLessThan(90);
    // The SDK's own ratio sampler keeps every one of these IDs: the decision was made on the ID
    // the trace got, as another service sampling by trace ID would decide.
    const byId = new TraceIdRatioBasedSampler(0.5);
    for (const server of servers) {
      const { decision } = byId.shouldSample(ROOT_CONTEXT, server.spanContext().traceId);
      expect(decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
  });

  it("follows a caller's sampled flag when parent-based, and never traces with always_off", async () => {
    const company = await newCompany(env);
    const ask = (target: App, flags: string) =>
      company.gql(
        '{ customer(id: "cus_none") { id } }',
        {},
        {
          app: target,
          headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-${flags}` },
        },
      );

    const parentBased = await sampledBy({ name: 'parentbased_always_off', ratio: 1 });
    await ask(parentBased.sampledApp, '01');
    await ask(parentBased.sampledApp, '00');
    await parentBased.sampledApp.fetch(new Request('http://localhost/graphql?query={__typename}'));
    const traced = parentBased.spans.getFinishedSpans();
    await parentBased.sampling.shutdown();
    // Only the request whose caller sampled it, in the caller's trace.
    expect(traced.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1);
    expect(traced.every((s) => s.spanContext().traceId === TRACE_ID)).toBe(true);

    const off = await sampledBy({ name: 'always_off', ratio: 1 });
    await ask(off.sampledApp, '01');
    expect(off.spans.getFinishedSpans()).toHaveLength(0);
    await off.sampling.shutdown();
  });
});
