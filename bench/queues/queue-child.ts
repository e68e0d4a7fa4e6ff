/**
 * Child process: runs the queue workload once for one implementation on one broker
 * (`queue-child.ts '<json spec>'`) and reports rates, publish-confirm latency and, when asked, the RSS
 * sampled along the way (the memory rows).
 */
import { reportFailure, sendToDriver } from '../lib/child.js';
import { LatencySamples } from '../lib/stats.js';
import { BROKER_SPECS, type BrokerName } from './brokers.js';
import { createToolkitQueue } from './impls/toolkit.js';
import { benchMessage, type QueueBenchImplementation } from './workload.js';

export interface QueueRunSpec {
  readonly broker: BrokerName;
  readonly implementation: 'raw' | 'toolkit';
  readonly messages: number;
  readonly window: number;
  readonly prefetch: number;
  /** Take this many RSS samples, evenly spaced in messages consumed (0: none). */
  readonly rssSamples: number;
  /** The broker's URL when it is not the broker's usual one (a dedicated broker started for this run). */
  readonly url?: string;
}

export interface QueueRunResult {
  /** Messages per second from the first publish to the last confirm. */
  readonly publishRate: number;
  /** Publish-to-confirm latency, ms. */
  readonly p50: number;
  readonly p99: number;
  /** backlog mode: consume rate of the backlog; live mode: end-to-end rate, first publish to last consumed. */
  readonly consumeRate: number;
  readonly rss: { readonly messages: number; readonly bytes: number }[];
}

class ConsumedCounter {
  count = 0;
  readonly rss: { messages: number; bytes: number }[] = [];
  #target = Number.POSITIVE_INFINITY;
  #resolve: () => void = () => {};
  readonly #sampleEvery: number;

  constructor(total: number, samples: number) {
    this.#sampleEvery = samples > 0 ? Math.max(1, Math.floor(total / samples)) : 0;
  }

  readonly onMessage = (message: unknown): void => {
    if (typeof (message as { id?: unknown } | null)?.id !== 'number') throw new Error('decoded message lacks its id');
    this.count++;
    if (this.#sampleEvery > 0 && this.count % this.#sampleEvery === 0) {
      this.rss.push({ messages: this.count, bytes: process.memoryUsage.rss() });
    }
    if (this.count >= this.#target) this.#resolve();
  };

  /** Resolves once `target` messages were consumed; rejects when the count stops moving for `stallMs`. */
  reach(target: number, stallMs: number): Promise<void> {
    this.#target = target;
    if (this.count >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let last = this.count;
      const timer = setInterval(() => {
        if (this.count === last) {
          clearInterval(timer);
          reject(new Error(`consumption stalled at ${this.count} of ${target} messages`));
        }
        last = this.count;
      }, stallMs);
      this.#resolve = () => {
        clearInterval(timer);
        resolve();
      };
    });
  }
}

async function publishAll(
  impl: QueueBenchImplementation,
  spec: QueueRunSpec,
  bytes: number,
  latency: LatencySamples,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const publisher = async (): Promise<void> => {
    while (next < spec.messages) {
      const message = benchMessage(next++, bytes);
      const sent = performance.now();
      await impl.publish(message);
      latency.add(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.window, spec.messages) }, publisher));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as QueueRunSpec;
  const broker = BROKER_SPECS[spec.broker];
  const url = spec.url ?? broker.url;
  const impl = spec.implementation === 'toolkit' ? createToolkitQueue(url) : await broker.raw?.(url);
  if (!impl) throw new Error(`no raw client for ${spec.broker}`);
  const counter = new ConsumedCounter(spec.messages, spec.rssSamples);
  const latency = new LatencySamples();
  await impl.setup(`bench-${spec.broker}-${spec.implementation}-${process.pid}`, spec.prefetch);
  let publishSeconds: number;
  let consumeSeconds: number;
  if (broker.mode === 'backlog') {
    publishSeconds = await publishAll(impl, spec, broker.messageBytes, latency);
    const started = performance.now();
    await impl.consume(counter.onMessage);
    await counter.reach(spec.messages, 10_000);
    consumeSeconds = (performance.now() - started) / 1000;
  } else {
    await impl.consume(counter.onMessage);
    const started = performance.now();
    publishSeconds = await publishAll(impl, spec, broker.messageBytes, latency);
    await counter.reach(spec.messages, 10_000);
    consumeSeconds = (performance.now() - started) / 1000;
  }
  await impl.close();
  const result: QueueRunResult = {
    publishRate: spec.messages / publishSeconds,
    consumeRate: spec.messages / consumeSeconds,
    ...latency.summary(),
    rss: counter.rss,
  };
  sendToDriver({ type: 'result', data: result });
  process.exit(0);
}

main().catch(reportFailure);
