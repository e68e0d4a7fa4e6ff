/**
 * Child process: Moleculer request/reply over RabbitMQ (`moleculer-rpc-child.ts '<json spec>'`). Two
 * ServiceBrokers in this process (like the queue rows, caller and responder share it), both on the AMQP
 * transporter with `disableBalancer`, so each call travels through the action's durable request queue
 * (`MOL-<ns>.REQB.rpc.echo`) and the reply through the caller's reply queue, as an RPC over a queue does.
 * Each call sends a 1 KiB JSON message (the queue workload's) and the handler replies `{ id }`;
 * `concurrency` calls are kept in flight for `seconds`, after a warm-up of `warmupSeconds`.
 */
import { ServiceBroker } from 'moleculer';
import { brokerCpuMs } from '../../lib/broker-process.js';
import { reportFailure, sendToDriver } from '../../lib/child.js';
import { LatencySamples } from '../../lib/stats.js';
import { deleteAmqpQueues, moleculerAmqpTransporter, moleculerRequestQueues } from '../impls/moleculer-peer.js';
import { callLoop } from './call-loop.js';

export interface RpcPeerSpec {
  readonly url: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly prefetch: number;
}

export interface RpcPeerResult {
  readonly callsPerSecond: number;
  /** Call latency, ms. */
  readonly p50: number;
  readonly p99: number;
  /** This process's CPU (caller and responder) per call, µs. */
  readonly cpuUsPerCall: number;
  /** RabbitMQ's CPU per call, µs (NaN when its process is not visible). */
  readonly brokerCpuUsPerCall: number;
}

function brokerFor(namespace: string, role: string, spec: RpcPeerSpec): ServiceBroker {
  return new ServiceBroker({
    namespace,
    nodeID: `${namespace}-${role}`,
    logger: false,
    disableBalancer: true,
    requestTimeout: 30_000,
    transporter: moleculerAmqpTransporter(spec.url, spec.prefetch),
  });
}

function callFor(caller: ServiceBroker, spec: RpcPeerSpec, seconds: number, latency?: LatencySamples) {
  return callLoop((message) => caller.call('rpc.echo', message), spec.concurrency, seconds, latency);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as RpcPeerSpec;
  const namespace = `bench-rpc-${process.pid}`;
  const responder = brokerFor(namespace, 'responder', spec);
  responder.createService({
    name: 'rpc',
    actions: {
      echo(ctx: { params: { id: number } }) {
        return { id: ctx.params.id };
      },
    },
  });
  const caller = brokerFor(namespace, 'caller', spec);
  await Promise.all([responder.start(), caller.start()]);
  await caller.waitForServices(['rpc'], 30_000);
  if (spec.warmupSeconds > 0) await callFor(caller, spec, spec.warmupSeconds);
  const latency = new LatencySamples();
  const cpuBefore = process.cpuUsage();
  const brokerBefore = brokerCpuMs('beam.smp');
  const started = performance.now();
  const calls = await callFor(caller, spec, spec.seconds, latency);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const brokerMs = brokerCpuMs('beam.smp') - brokerBefore;
  const requestQueues = moleculerRequestQueues(namespace, [caller, responder]);
  await Promise.all([caller.stop(), responder.stop()]);
  await deleteAmqpQueues(spec.url, requestQueues);
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
