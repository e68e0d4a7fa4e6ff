/**
 * Child process: runs the queue workload once for one implementation on one broker
 * (`queue-child.ts '<json spec>'`) and reports rates, publish-confirm latency and, when asked, the RSS
 * sampled along the way (the memory rows).
 */
import { brokerCpuMs } from '../lib/broker-process.js';
import { reportFailure, sendToDriver } from '../lib/child.js';
import { LatencySamples } from '../lib/stats.js';
import { BROKER_SPECS, type BrokerName, type BrokerSpec, type QueueImplementation } from './brokers.js';
import { createToolkitQueue } from './impls/toolkit.js';
import { benchMessage, type QueueBenchImplementation } from './workload.js';

export interface QueueRunSpec {
  readonly broker: BrokerName;
  readonly implementation: QueueImplementation;
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
  /** This process's CPU time (user + system) per message in µs while publishing and while consuming. */
  readonly publishCpuUs: number;
  readonly consumeCpuUs: number;
  /** The broker process's CPU time per message in µs over the same windows (NaN when not visible). */
  readonly brokerPublishCpuUs: number;
  readonly brokerConsumeCpuUs: number;
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

async function createImplementation(
  broker: BrokerSpec,
  implementation: QueueImplementation,
  url: string,
): Promise<QueueBenchImplementation> {
  if (implementation === 'toolkit') return createToolkitQueue(url);
  const impl =
    implementation === 'raw'
      ? await broker.raw?.(url)
      : implementation === 'raw-carrying'
        ? await broker.rawCarrying?.create(url)
        : await broker.peers?.find((peer) => peer.name === implementation)?.create(url);
  if (!impl) throw new Error(`no ${implementation} implementation for ${broker.label}`);
  return impl;
}

/** CPU time of this process and of the broker, to charge a window's CPU to its messages. */
class CpuWindow {
  readonly #process = process.cpuUsage();
  readonly #brokerMs: number;
  readonly #brokerProcess: string | undefined;

  constructor(brokerProcess: string | undefined) {
    this.#brokerProcess = brokerProcess;
    this.#brokerMs = brokerCpuMs(brokerProcess);
  }

  /** µs of CPU per message since the window opened, for this process and for the broker. */
  perMessage(messages: number): { own: number; broker: number } {
    const used = process.cpuUsage(this.#process);
    const brokerUs = (brokerCpuMs(this.#brokerProcess) - this.#brokerMs) * 1000;
    return { own: (used.user + used.system) / messages, broker: brokerUs / messages };
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as QueueRunSpec;
  const broker = BROKER_SPECS[spec.broker];
  const url = spec.url ?? broker.url;
  const impl = await createImplementation(broker, spec.implementation, url);
  const counter = new ConsumedCounter(spec.messages, spec.rssSamples);
  const latency = new LatencySamples();
  await impl.setup(`bench-${spec.broker}-${spec.implementation}-${process.pid}`, spec.prefetch);
  let publishSeconds: number;
  let consumeSeconds: number;
  let publishCpu: { own: number; broker: number };
  let consumeCpu: { own: number; broker: number };
  if (broker.mode === 'backlog') {
    const publishWindow = new CpuWindow(broker.processName);
    publishSeconds = await publishAll(impl, spec, broker.messageBytes, latency);
    publishCpu = publishWindow.perMessage(spec.messages);
    const consumeWindow = new CpuWindow(broker.processName);
    const started = performance.now();
    await impl.consume(counter.onMessage);
    await counter.reach(spec.messages, 10_000);
    consumeSeconds = (performance.now() - started) / 1000;
    consumeCpu = consumeWindow.perMessage(spec.messages);
  } else {
    await impl.consume(counter.onMessage);
    const window = new CpuWindow(broker.processName);
    const started = performance.now();
    publishSeconds = await publishAll(impl, spec, broker.messageBytes, latency);
    await counter.reach(spec.messages, 10_000);
    consumeSeconds = (performance.now() - started) / 1000;
    // One window for both sides: publisher and consumer share the process.
    publishCpu = window.perMessage(spec.messages);
    consumeCpu = publishCpu;
  }
  await impl.close();
  const result: QueueRunResult = {
    publishRate: spec.messages / publishSeconds,
    consumeRate: spec.messages / consumeSeconds,
    publishCpuUs: publishCpu.own,
    consumeCpuUs: consumeCpu.own,
    brokerPublishCpuUs: publishCpu.broker,
    brokerConsumeCpuUs: consumeCpu.broker,
    ...latency.summary(),
    rss: counter.rss,
  };
  sendToDriver({ type: 'result', data: result });
  process.exit(0);
}

main().catch(reportFailure);
