/**
 * The `metrics` option of the parts: `true` means the process-wide metric set (one registry, so one `/metrics`
 * shows the HTTP service, the queue worker and the clients of a process), a `Metrics` object means that set,
 * and unset falls back to `METRICS_ENABLED`. Parts are built synchronously while prom-client loads
 * asynchronously, so they hold a {@link DeferredRecorder} that forwards to the set once it is loaded.
 */
import { readEnv } from '../config/env.js';
import type { ConnectionState } from './health.js';
import { createMetrics, type HttpRequestSample, type Metrics, type MetricsRecorder, NOOP_METRICS } from './metrics.js';

/** `true` (the process-wide set), `false` (off), or a set of your own from `createMetrics()`. */
export type MetricsOption = boolean | Metrics;

let processSet: Promise<Metrics> | undefined;

/**
 * The process-wide metric set behind `metrics: true` (created on first use, Node's default metrics included).
 * @example const text = await (await processMetrics()).scrape();
 */
export function processMetrics(): Promise<Metrics> {
  processSet ??= createMetrics();
  // A failed load (prom-client missing) is not cached: installing the package and retrying works.
  processSet.catch(() => {
    processSet = undefined;
  });
  return processSet;
}

/** Whether a part with this option records metrics (the option wins; unset reads `METRICS_ENABLED`). */
export function metricsWanted(option: MetricsOption | undefined): boolean {
  if (option !== undefined) return option !== false;
  return readEnv().metricsEnabled === true;
}

/**
 * A recorder that drops samples until {@link DeferredRecorder.load} resolved, then forwards them. Reads
 * `enabled` per call, so callers skip their own timing work while metrics are off.
 */
export class DeferredRecorder implements MetricsRecorder {
  #target: MetricsRecorder = NOOP_METRICS;
  #loading: Promise<Metrics> | undefined;
  /** Connection states seen before the set loaded, replayed into it (a gauge must not miss the first state). */
  readonly #states = new Map<string, ConnectionState>();
  readonly #option: MetricsOption | undefined;

  constructor(option: MetricsOption | undefined) {
    this.#option = option;
  }

  get enabled(): boolean {
    return this.#target.enabled;
  }

  /** Whether this part records metrics at all (decided at construction). */
  get wanted(): boolean {
    return metricsWanted(this.#option);
  }

  /** Loads the set once (undefined when metrics are off); rejects with `MS_OPS_PEER_MISSING` without prom-client. */
  load(): Promise<Metrics | undefined> {
    if (!this.wanted) return Promise.resolve(undefined);
    this.#loading ??= (typeof this.#option === 'object' ? Promise.resolve(this.#option) : processMetrics()).then(
      (set) => {
        this.#target = set;
        for (const [broker, state] of this.#states) set.setConnectionState(broker, state);
        return set;
      },
    );
    return this.#loading;
  }

  recordHttpRequest(sample: HttpRequestSample): void {
    this.#target.recordHttpRequest(sample);
  }
  recordConsumed(queue: string): void {
    this.#target.recordConsumed(queue);
  }
  recordFailed(queue: string): void {
    this.#target.recordFailed(queue);
  }
  recordRetried(queue: string): void {
    this.#target.recordRetried(queue);
  }
  recordDeadLettered(queue: string): void {
    this.#target.recordDeadLettered(queue);
  }
  recordHandlerDuration(queue: string, seconds: number): void {
    this.#target.recordHandlerDuration(queue, seconds);
  }
  recordPublishConfirm(destination: string, seconds: number): void {
    this.#target.recordPublishConfirm(destination, seconds);
  }
  handlerStarted(queue: string): () => void {
    return this.#target.handlerStarted(queue);
  }
  setConnectionState(broker: string, state: ConnectionState): void {
    if (!this.#target.enabled) this.#states.set(broker, state);
    this.#target.setConnectionState(broker, state);
  }
}
