/**
 * Child process: the toolkit's request/reply (`client.queue(name).call()` answered by `app.queue(name, handler)`)
 * over RabbitMQ (direct reply-to) or NATS (core inbox), loaded from `dist/` (`toolkit-rpc-child.ts '<json spec>'`).
 * The same work as the Moleculer child: each call sends the queue rows' 1 KiB JSON message, the handler
 * replies `{ id }` and the caller checks it; `concurrency` calls are kept in flight for `seconds`, after a
 * warm-up. Caller and responder share this process, as they do in the Moleculer child.
 */
import { brokerCpuMs } from '../../lib/broker-process.js';
import { reportFailure, sendToDriver } from '../../lib/child.js';
import { LatencySamples } from '../../lib/stats.js';
import { loadToolkit } from '../../lib/toolkit.js';
import { callLoop } from './call-loop.js';
import type { RpcPeerResult } from './moleculer-rpc-child.js';

export interface ToolkitRpcSpec {
  readonly url: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly prefetch: number;
  /** The broker's process name for its CPU (`beam.smp`, `nats-server`). */
  readonly brokerProcess: string;
}

interface QueuesModule {
  readonly QueueService: new (
    options: object,
  ) => {
    queue(name: string, handler: (payload: unknown) => unknown): unknown;
    start(): Promise<void>;
    stop(): Promise<void>;
  };
  readonly QueueClient: new (
    options: object,
  ) => {
    queue(name: string): { call(payload: unknown, options?: object): Promise<unknown> };
    deleteQueue(name: string): Promise<void>;
    close(): Promise<void>;
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ToolkitRpcSpec;
  const { QueueService, QueueClient } = (await loadToolkit('queues')) as QueuesModule;
  const queue = `bench-rpc-${process.pid}`;
  const app = new QueueService({ connection: spec.url, workers: spec.prefetch });
  app.queue(queue, (payload) => ({ id: (payload as { id: number }).id }));
  await app.start();
  const client = new QueueClient({ connection: spec.url });
  const handle = client.queue(queue);
  const callFor = (seconds: number, latency?: LatencySamples): Promise<number> =>
    callLoop((message) => handle.call(message, { timeoutMs: 30_000 }), spec.concurrency, seconds, latency);
  if (spec.warmupSeconds > 0) await callFor(spec.warmupSeconds);
  const latency = new LatencySamples();
  const cpuBefore = process.cpuUsage();
  const brokerBefore = brokerCpuMs(spec.brokerProcess);
  const started = performance.now();
  const calls = await callFor(spec.seconds, latency);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const brokerMs = brokerCpuMs(spec.brokerProcess) - brokerBefore;
  await app.stop();
  await client.deleteQueue(queue).catch(() => undefined);
  await client.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
  await client.close();
  const result: RpcPeerResult = {
    callsPerSecond: calls / seconds,
    ...latency.summary(),
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
    brokerCpuUsPerCall: (brokerMs * 1000) / calls,
  };
  sendToDriver({ type: 'result', data: result });
  process.exit(0);
}

main().catch(reportFailure);
