/**
 * Peer: Moleculer 0.14 with its AMQP transporter (amqplib under it) doing the queue workload with
 * **balanced events**: `broker.emit(event, payload, { groups })` from one ServiceBroker, a service's event
 * handler in a second ServiceBroker (another node ID, same process) consuming them. With `disableBalancer`
 * the transporter puts each group's events in one durable RabbitMQ queue (`MOL-<ns>.EVENTB.<group>.<event>`),
 * persistent with `messageOptions`, consumed with `prefetch` unacked messages and acked after the handler's
 * promise resolves: the closest thing Moleculer has to a work queue (actions are request/reply, see
 * bench/queues/rpc-peer). Moleculer's AMQP transporter publishes on a plain channel without publisher
 * confirms, so `emit()` resolves once the frame is written: its "publish" rate is unconfirmed, unlike the
 * other rows.
 *
 * Backlog mode needs the queue to exist before publishing and no consumption while publishing: the consumer
 * node starts in `setup()` (which declares the queue), and its handler waits on a gate that `consume()`
 * opens, so at most `prefetch` messages sit delivered and unacked while the backlog is published.
 */
import amqplib from 'amqplib';
import { ServiceBroker } from 'moleculer';
import type { QueueBenchImplementation } from '../workload.js';

const EVENT = 'bench.message';
const GROUP = 'bench';

/**
 * The transporter options both nodes use: persistent messages, durable queues, `prefetch`. Queues expire a
 * minute after their last consumer left (Moleculer's `autoDeleteQueues`; it applies to the per-node queues,
 * not to the balanced ones, which the bench deletes itself), so a run's queues do not pile up on the shared
 * broker; while consumed, nothing expires.
 * @example moleculerAmqpTransporter('amqp://guest:guest@127.0.0.1:5672/', 100)
 */
export function moleculerAmqpTransporter(url: string, prefetch: number): object {
  return {
    type: 'AMQP',
    options: {
      url,
      prefetch,
      autoDeleteQueues: 60_000,
      queueOptions: { durable: true },
      messageOptions: { persistent: true },
    },
  };
}

/**
 * A Moleculer broker as the bench configures it (no logs, no metrics, transporter balancing).
 * @example const broker = benchMoleculerBroker('ns', 'node-1', url, 100);
 */
export function benchMoleculerBroker(namespace: string, nodeID: string, url: string, prefetch: number): ServiceBroker {
  return new ServiceBroker({
    namespace,
    nodeID,
    logger: false,
    disableBalancer: true,
    transporter: moleculerAmqpTransporter(url, prefetch),
  });
}

/**
 * Deletes queues by name over a short-lived amqplib connection (Moleculer's balanced queues outlive it).
 * @example await deleteAmqpQueues(url, ['MOL-x.EVENTB.bench.bench.message']);
 */
export async function deleteAmqpQueues(url: string, queues: readonly string[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

/**
 * Waits until `queue` exists: Moleculer declares balanced queues when its (debounced, 1 s) service-change
 * handler runs after `start()`, and RabbitMQ drops what is sent to a queue that does not exist yet.
 * @example await waitForAmqpQueue(url, 'MOL-x.EVENTB.bench.bench.message', 10_000);
 */
export async function waitForAmqpQueue(url: string, queue: string, timeoutMs: number): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A failed checkQueue closes its channel: one channel per attempt.
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const found = await channel.checkQueue(queue).then(
        () => true,
        () => false,
      );
      if (found) {
        await channel.close();
        return;
      }
      if (Date.now() > deadline) throw new Error(`queue ${queue} not declared within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await connection.close();
  }
}

/**
 * The durable request queues Moleculer declared for the local actions of these brokers (`MOL-<ns>.REQB.<action>`,
 * the `$node.*` ones included): they never expire, unlike its per-node queues, so the bench deletes them.
 * @example const queues = moleculerRequestQueues(namespace, [broker]);
 */
export function moleculerRequestQueues(namespace: string, brokers: readonly ServiceBroker[]): string[] {
  const names = new Set<string>();
  for (const broker of brokers) {
    for (const action of broker.registry.getActionList({ onlyLocal: true }) as { name: string }[]) {
      names.add(`MOL-${namespace}.REQB.${action.name}`);
    }
  }
  return [...names];
}

/**
 * @example const impl = createMoleculerPeer('amqp://guest:guest@127.0.0.1:5672/'); await impl.setup('q', 100);
 */
export function createMoleculerPeer(url: string): QueueBenchImplementation {
  let publisher: ServiceBroker | undefined;
  let consumer: ServiceBroker | undefined;
  let namespace = '';
  let onMessage: (message: unknown) => void = () => {};
  let openGate: () => void = () => {};
  let gateOpen = false;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });

  const eventQueue = (): string => `MOL-${namespace}.EVENTB.${GROUP}.${EVENT}`;
  const opened = (): ServiceBroker => {
    if (!publisher) throw new Error('setup() first');
    return publisher;
  };

  return {
    async setup(queue, prefetch) {
      namespace = queue.replace(/[^A-Za-z0-9_-]/g, '_');
      consumer = benchMoleculerBroker(namespace, `${namespace}-consumer`, url, prefetch);
      consumer.createService({
        name: 'bench-consumer',
        events: {
          [EVENT]: {
            group: GROUP,
            async handler(ctx: { params: unknown }) {
              if (!gateOpen) await gate;
              onMessage(ctx.params);
            },
          },
        },
      });
      publisher = benchMoleculerBroker(namespace, `${namespace}-publisher`, url, prefetch);
      await Promise.all([consumer.start(), publisher.start()]);
      await waitForAmqpQueue(url, eventQueue(), 10_000);
    },
    async publish(message) {
      await opened().emit(EVENT, message, { groups: [GROUP] });
    },
    async consume(handler) {
      onMessage = handler;
      gateOpen = true;
      openGate();
    },
    async close() {
      const brokers = [consumer, publisher].filter((broker): broker is ServiceBroker => broker !== undefined);
      const requestQueues = moleculerRequestQueues(namespace, brokers);
      await Promise.all(brokers.map((broker) => broker.stop()));
      await deleteAmqpQueues(url, [eventQueue(), ...requestQueues]);
    },
  };
}
