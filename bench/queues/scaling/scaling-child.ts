/**
 * Child process for the scaling table (`scaling-child.ts '<json spec>'`), in one of two roles:
 *
 * - `fill`: declares nothing of its own; publishes `messages` persistent 1 KiB JSON messages to the queue
 *   through the toolkit's `Client` (100 in flight, each awaited until confirmed), reports, then waits for
 *   `delete` and deletes the queue.
 * - `consume`: a toolkit `Microservice` with one handler on the queue and the run's prefetch; `ready()`
 *   (connect, declare the queue and its consumer group/consumer), report `ready`, then on `go` start
 *   consuming (`read(0)`), report the running count every 50 ms, and on `stop` report its count, the time
 *   of its last message and its CPU time.
 *
 * The driver (scaling/suite.ts) starts N consumers, fills the queue while they wait, and times the drain.
 */
import type { Client, Microservice } from '../../../src/queues/index.js';
import { reportFailure, sendToDriver } from '../../lib/child.js';
import { loadToolkit } from '../../lib/toolkit.js';
import { benchMessage } from '../workload.js';
import { type ConsumerReport, preciseNow, type ScalingChildSpec } from './protocol.js';

type QueuesModule = typeof import('../../../src/queues/index.js');

// The driver's commands (`go`, `stop`, `delete`), kept until read so none is lost between two awaits.
const inbox: string[] = [];
let wake: () => void = () => {};
process.on('message', (message) => {
  inbox.push(String(message));
  wake();
});

async function nextMessage(): Promise<string> {
  while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  return inbox.shift() ?? '';
}

async function fill(queues: QueuesModule, spec: ScalingChildSpec): Promise<void> {
  const client: Client = new queues.Client({ connection: spec.url });
  let next = 0;
  const started = performance.now();
  const publisher = async (): Promise<void> => {
    while (next < spec.messages) await client.queue(spec.queue).publish(benchMessage(next++));
  };
  await Promise.all(Array.from({ length: Math.min(spec.window, spec.messages) }, publisher));
  const seconds = (performance.now() - started) / 1000;
  sendToDriver({ type: 'result', data: { publishRate: spec.messages / seconds } });
  await nextMessage();
  await client.deleteQueue(spec.queue).catch(() => {});
  await client.deleteQueue(`${spec.queue}.dead-letter`).catch(() => {});
  await client.close();
  sendToDriver({ type: 'result', data: { deleted: true } });
}

async function consume(queues: QueuesModule, spec: ScalingChildSpec): Promise<void> {
  const service: Microservice = new queues.Microservice({ connection: spec.url, prefetchCount: spec.prefetch });
  let count = 0;
  let lastAt = Number.NaN;
  service.queue(spec.queue, (payload) => {
    if (typeof (payload as { id?: unknown } | null)?.id !== 'number') throw new Error('decoded message lacks its id');
    count++;
    lastAt = preciseNow();
  });
  await service.ready();
  sendToDriver({ type: 'ready' });
  if ((await nextMessage()) !== 'go') throw new Error('expected go');
  const cpuAtGo = process.cpuUsage();
  await service.read(0);
  const ticker = setInterval(() => sendToDriver({ type: 'progress', count }), 50);
  await nextMessage();
  clearInterval(ticker);
  const cpu = process.cpuUsage(cpuAtGo);
  const report: ConsumerReport = { count, lastAt, cpuMs: (cpu.user + cpu.system) / 1000 };
  await service.stop();
  sendToDriver({ type: 'result', data: report });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ScalingChildSpec;
  const queues = (await loadToolkit('queues')) as QueuesModule;
  if (spec.role === 'fill') await fill(queues, spec);
  else await consume(queues, spec);
  process.exit(0);
}

main().catch(reportFailure);
