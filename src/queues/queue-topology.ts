/**
 * What a queue service declares for queue X, in one place: the queue service (`app.queue(X)`) and the queue
 * client (`client.declareQueue(X)`, and `client.queue(X).publish()` before its first publish) both declare
 * through `declareServiceQueue`, so a producer that runs first declares exactly what the service will, and
 * the service's later declaration never conflicts (no AMQP `PRECONDITION_FAILED` with default options).
 */
import { ERRORS } from '../errors.js';
import { assertName, assertNumber } from './options.js';
import type { Transport, QueueOptions as TransportQueueOptions } from './transports/transport.js';

/** The options that shape a queue's topology; the service and the client take the same ones. */
export interface QueueTopologyOptions {
  /** Dead-letter queue name, or false to drop exhausted messages. Default `NAME.dead-letter`. */
  readonly deadLetter?: string | false;
  /**
   * Highest message priority the queue honours (1..255; AMQP `x-max-priority`); higher `priority` is
   * delivered first once a backlog exists. Brokers without priorities refuse it with `MS_QUEUE_UNSUPPORTED`.
   * The producer and the service must give the same value (AMQP fixes it when the queue is first declared).
   */
  readonly maxPriority?: number;
}

/** One queue to declare, in the transport's terms. */
export interface QueueDeclaration {
  readonly name: string;
  readonly options: TransportQueueOptions;
}

/** The dead-letter queue a service uses for `name`: `NAME.dead-letter` unless the options name another or false. */
export function deadLetterOf(name: string, options: QueueTopologyOptions = {}): string | false {
  return options.deadLetter ?? `${name}.dead-letter`;
}

/** Refuses a bad `deadLetter` or `maxPriority` before anything reaches the broker. */
export function checkTopologyOptions(where: string, options: QueueTopologyOptions): void {
  if (options.deadLetter !== undefined && options.deadLetter !== false && typeof options.deadLetter !== 'string') {
    throw ERRORS.MS_QUEUE_BAD_OPTION(`${where}: "deadLetter" must be a queue name or false`);
  }
  assertNumber(where, 'maxPriority', options.maxPriority, { integer: true, min: 1, max: 255 });
}

/**
 * The queues a service declares for `name`, in order: its dead-letter queue (durable, plain) first, then the
 * queue itself (durable, with its dead-letter queue and priority range).
 * @example serviceQueueTopology('jobs', { maxPriority: 10 });
 * // [{ name: 'jobs.dead-letter', options: { durable: true } },
 * //  { name: 'jobs', options: { durable: true, deadLetterQueue: 'jobs.dead-letter', maxPriority: 10 } }]
 */
export function serviceQueueTopology(name: string, options: QueueTopologyOptions = {}): QueueDeclaration[] {
  assertName('queue', name);
  const deadLetter = deadLetterOf(name, options);
  if (deadLetter !== false) assertName('queue', deadLetter);
  const queue: TransportQueueOptions = {
    durable: true,
    deadLetterQueue: deadLetter,
    ...(options.maxPriority === undefined ? {} : { maxPriority: options.maxPriority }),
  };
  return [
    ...(deadLetter === false ? [] : [{ name: deadLetter, options: { durable: true } }]),
    { name, options: queue },
  ];
}

/**
 * Refuses a priority range the transport cannot honour, naming the broker, rather than ignoring it.
 * @example assertPriorities(transport, 'jobs', 10); // throws MS_QUEUE_UNSUPPORTED on redis://
 */
export function assertPriorities(transport: Transport, queue: string, maxPriority: number | undefined): void {
  if (maxPriority === undefined) return;
  const supported = transport.capabilities.maxPriority ?? 0;
  if (supported === 0) {
    throw ERRORS.MS_QUEUE_UNSUPPORTED(
      `queue "${queue}": ${transport.name} has no message priorities; maxPriority cannot be honoured there`,
    );
  }
  if (maxPriority > supported) {
    throw ERRORS.MS_QUEUE_UNSUPPORTED(`queue "${queue}": ${transport.name} allows maxPriority up to ${supported}`);
  }
}

/**
 * Declares on `transport` what a service declares for `name`. With `claimDeadLetter: false` (a producer that
 * was not told the service's `deadLetter`) the dead-letter queue is declared but the queue's dead-letter
 * routing is left to the service: on the brokers that keep it as queue state (memory, Redis, NATS, MQTT) a
 * producer's default must not replace a service's `deadLetter: 'x'`. On AMQP it is not a queue argument, so
 * the declared queue is the same either way.
 * @example await declareServiceQueue(t, 'jobs');
 */
export async function declareServiceQueue(
  transport: Transport,
  name: string,
  options: QueueTopologyOptions = {},
  { claimDeadLetter = true }: { claimDeadLetter?: boolean } = {},
): Promise<void> {
  const declarations = serviceQueueTopology(name, options);
  assertPriorities(transport, name, options.maxPriority);
  for (const { name: queue, options: queueOptions } of declarations) {
    const { deadLetterQueue, ...rest } = queueOptions;
    await transport.declareQueue(queue, claimDeadLetter || queue !== name ? queueOptions : rest);
  }
}
