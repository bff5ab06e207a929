// A Prometheus histogram for the hot paths (every request, every SQL statement), registered in
// prom-client's registry like any of its own metrics, so that a scrape and node:cluster's
// AggregatorRegistry read it the same way (the registry asks a metric only for get()).
//
// Written by hand because prom-client's observe validates the labels, hashes them and allocates
// a closure on every call: in the in-process measure (bench/tracing-in-process.ts, METRICS=1),
// no-op'ing prom-client's calls took byid's metrics cost from 1.03–1.07 of the plain app's CPU
// to 1.01 (docs/performance.md). Here a series is found once per label values and kept; an
// observation is a bucket search and three additions.
import { type Metric, register } from 'prom-client';

/** A value as the registry formats it (prom-client's histograms give the same). */
interface ExportedValue {
  metricName: string;
  labels: Readonly<Record<string, string | number>>;
  value: number;
}

/** One series: the observations of one set of label values. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative (made cumulative when read). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i += 1;
    if (i < bounds.length) this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class LeanHistogram<Label extends string = never> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    readonly labelNames: readonly Label[] = [],
  ) {
    this.#bounds = [...buckets].sort((a, b) => a - b);
    // Without labels, its one series is exposed from the start, as prom-client's is.
    if (labelNames.length === 0) this.series();
    register.registerMetric(this as unknown as Metric);
  }

  /**
   * The series of these label values, in labelNames' order (created on first use); with no
   * labels, `series()` is the histogram's one series.
   */
  series(...values: string[]): HistogramSeries {
    const key = values.join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] ?? '';
      });
      series = new HistogramSeries(labels, this.#bounds);
      this.#series.set(key, series);
    }
    return series;
  }

  /** What prom-client's Histogram.get() gives: buckets (cumulative, then +Inf), sum, count. */
  get(): { name: string; help: string; type: string; aggregator: string; values: ExportedValue[] } {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      if (series.count === 0 && this.labelNames.length > 0) continue;
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ metricName: bucket, labels: { le, ...series.labels }, value: cumulative });
      });
      values.push(
        { metricName: bucket, labels: { le: '+Inf', ...series.labels }, value: series.count },
        { metricName: `${this.name}_sum`, labels: series.labels, value: series.sum },
        { metricName: `${this.name}_count`, labels: series.labels, value: series.count },
      );
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** Forgets every observation (the registry's resetMetrics). */
  reset(): void {
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
