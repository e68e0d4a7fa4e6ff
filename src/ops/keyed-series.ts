/**
 * Histograms, counters and gauges for the per-request and per-message metrics, kept in plain arrays and handed
 * to prom-client's registry as custom metrics (prom-client formats them with everything else at scrape time).
 *
 * Why not prom-client's own classes on the hot path: their `observe`/`inc` sort and hash the label object on
 * every call (a label-bound child does the same), which cost the marked resource more than the rest of the
 * request's own work (bench/ops, `node bench/http/in-process.mjs`). Here the caller keeps the label values it
 * already has and passes them as an array; a series is found by joining them into one string, and a histogram
 * sample is one bucket search over a few bounds.
 */

/** The shape prom-client's `Registry.registerMetric` and `metrics()` read from a metric. */
export interface PromMetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/** What prom-client's registry calls on a registered metric. */
export interface RegisteredMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: PromMetricValue[];
  }>;
  reset(): void;
}

/** Series are keyed by their label values joined with a character no label value can hold. */
const SEPARATOR = '\u0000';

/** Label values are bounded by the callers (rules, queues, status classes); this caps a runaway anyway. */
const MAX_SERIES = 10_000;

abstract class KeyedSeries<S> implements RegisteredMetric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  readonly #labelNames: readonly string[];
  #series = new Map<string, { readonly labels: Record<string, string>; readonly state: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
  }

  protected abstract fresh(): S;
  protected abstract export(labels: Record<string, string>, state: S, into: PromMetricValue[]): void;

  /** The state of the series with these label values (in `labelNames` order), created on first use. */
  protected stateOf(values: readonly string[]): S | undefined {
    const key = values.length === 1 ? (values[0] ?? '') : values.join(SEPARATOR);
    const found = this.#series.get(key);
    if (found !== undefined) return found.state;
    if (this.#series.size >= MAX_SERIES) return undefined;
    const labels: Record<string, string> = {};
    this.#labelNames.forEach((name, index) => {
      labels[name] = values[index] ?? '';
    });
    const state = this.fresh();
    this.#series.set(key, { labels, state });
    return state;
  }

  async get() {
    const values: PromMetricValue[] = [];
    for (const { labels, state } of this.#series.values()) this.export(labels, state, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series = new Map();
  }
}

/** A counter per label-value tuple. */
export class KeyedCounter extends KeyedSeries<{ value: number }> {
  readonly type = 'counter' as const;

  inc(values: readonly string[], by = 1): void {
    const state = this.stateOf(values);
    if (state !== undefined) state.value += by;
  }

  protected fresh() {
    return { value: 0 };
  }

  protected export(labels: Record<string, string>, state: { value: number }, into: PromMetricValue[]): void {
    into.push({ labels, value: state.value });
  }
}

/** A gauge per label-value tuple. */
export class KeyedGauge extends KeyedSeries<{ value: number }> {
  readonly type = 'gauge' as const;

  add(values: readonly string[], by: number): void {
    const state = this.stateOf(values);
    if (state !== undefined) state.value += by;
  }

  set(values: readonly string[], value: number): void {
    const state = this.stateOf(values);
    if (state !== undefined) state.value = value;
  }

  protected fresh() {
    return { value: 0 };
  }

  protected export(labels: Record<string, string>, state: { value: number }, into: PromMetricValue[]): void {
    into.push({ labels, value: state.value });
  }
}

interface HistogramState {
  /** Per bucket (not cumulative); the last slot counts samples above every bound (`+Inf` only). */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram per label-value tuple, with fixed upper bounds in increasing order. */
export class KeyedHistogram extends KeyedSeries<HistogramState> {
  readonly type = 'histogram' as const;
  readonly #bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    super(name, help, labelNames);
    this.#bounds = [...bounds];
  }

  observe(values: readonly string[], sample: number): void {
    if (!Number.isFinite(sample)) return;
    const state = this.stateOf(values);
    if (state === undefined) return;
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && sample > (bounds[index] ?? 0)) index++;
    state.counts[index] = (state.counts[index] ?? 0) + 1;
    state.sum += sample;
    state.count++;
  }

  protected fresh(): HistogramState {
    return { counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
  }

  protected export(labels: Record<string, string>, state: HistogramState, into: PromMetricValue[]): void {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    this.#bounds.forEach((bound, index) => {
      cumulative += state.counts[index] ?? 0;
      into.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: bucket });
    });
    into.push({ labels: { ...labels, le: '+Inf' }, value: state.count, metricName: bucket });
    into.push({ labels, value: state.sum, metricName: `${this.name}_sum` });
    into.push({ labels, value: state.count, metricName: `${this.name}_count` });
  }
}
