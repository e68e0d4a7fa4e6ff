/**
 * The queues, exchanges and bindings a transport was asked to declare, kept so that they can be declared
 * again on every new connection (a broker restart loses nothing durable, but a fresh broker or a deleted
 * queue would otherwise leave consumers and publishers talking to nothing).
 *
 * Declarations run on a channel of their own: a failed one (a queue that exists with other arguments, an
 * exchange that does not exist) closes its channel, and that must not take the publisher or a consumer
 * with it.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { ERRORS } from '../../../errors.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { TopologyRecord } from '../core/topology-record.js';
import type { TopologyPrimitives } from '../core/transport-base.js';
import type { ExchangeOptions, QueueOptions } from '../transport.js';
import { closeUntilGone } from './close-until-gone.js';

/** The exchanges every RabbitMQ vhost has; `''` is the default exchange that routes by queue name. */
const BUILT_IN_EXCHANGES = new Set(['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']);

/** RabbitMQ's reply codes for "exists with other arguments" and "not found". */
const PRECONDITION_FAILED = 406;
const NOT_FOUND = 404;

/**
 * The exchange types this transport declares. `headers` is refused: it routes on binding arguments, which
 * `bindQueue(queue, exchange, routingKey)` cannot give, so its queues would receive nothing. An unknown type
 * (`x-foo`) is refused too: RabbitMQ answers it with a connection error (503 COMMAND_INVALID) that takes
 * every channel down with it. Plugin types such as `x-delayed-message` are not supported either.
 */
const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic']);

/**
 * Throws `MS_QUEUE_INVALID_NAME` for a name RabbitMQ would refuse: longer than 255 UTF-8 bytes (amqplib
 * would throw a raw TypeError), or, when declaring, starting with `amq.` (reserved: a declare gets 403
 * ACCESS_REFUSED). Checked before anything reaches the broker.
 * @example checkAmqpName('queue', 'amq.jobs'); // throws MS_QUEUE_INVALID_NAME
 */
export function checkAmqpName(
  kind: 'queue' | 'exchange' | 'dead-letter queue',
  name: string,
  { declaring = true }: { declaring?: boolean } = {},
): void {
  if (typeof name !== 'string') {
    throw ERRORS.MS_QUEUE_INVALID_NAME(`The ${kind} name must be a string, not ${typeof name}`);
  }
  const bytes = Buffer.byteLength(name);
  if (bytes > 255) {
    throw ERRORS.MS_QUEUE_INVALID_NAME(
      `The ${kind} name "${name.slice(0, 40)}…" is ${bytes} bytes long; AMQP allows 255`,
    );
  }
  // Only declaring is reserved: consuming, binding or checking an existing amq.* name is the broker's call.
  if (declaring && name.startsWith('amq.') && !BUILT_IN_EXCHANGES.has(name)) {
    throw ERRORS.MS_QUEUE_INVALID_NAME(
      `The ${kind} name "${name}" starts with "amq.", which RabbitMQ reserves for itself`,
    );
  }
}

function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Declares and remembers topology on one connection at a time; `model` gives the live connection (waiting
 * through a reconnect), names are checked before anything reaches the broker.
 * @example
 * const topology = new AmqpTopology(logger, () => transport.liveConnection());
 * await topology.declareQueue('jobs', { deadLetterQueue: 'jobs.dead' });
 * await topology.redeclare(newModel); // after a reconnect
 */
export class AmqpTopology implements TopologyPrimitives {
  readonly #record = new TopologyRecord();
  #channel: Promise<Channel> | undefined;
  #channelOf: ChannelModel | undefined;

  readonly #logger: Logger;

  readonly #model: () => Promise<ChannelModel>;

  constructor(logger: Logger, model: () => Promise<ChannelModel>) {
    this.#logger = logger;
    this.#model = model;
  }

  /** The dead-letter queue configured for a queue declared here, if any. */
  deadLetterQueueOf(queue: string): string | undefined {
    const target = this.#record.queueOptions(queue)?.deadLetterQueue;
    return typeof target === 'string' && target !== '' ? target : undefined;
  }

  /** Checks a queue's name and its dead-letter queue's name before anything touches the broker. */
  checkQueue(name: string, options: QueueOptions = {}): void {
    checkAmqpName('queue', name);
    if (typeof options.deadLetterQueue === 'string' && options.deadLetterQueue !== '') {
      checkAmqpName('dead-letter queue', options.deadLetterQueue);
    }
  }

  /** Checks an exchange's name and type before anything touches the broker. */
  checkExchange(name: string, options: ExchangeOptions): void {
    checkAmqpName('exchange', name);
    const type = (options as { type?: unknown }).type;
    if (typeof type !== 'string' || !EXCHANGE_TYPES.has(type)) {
      throw ERRORS.MS_QUEUE_BAD_OPTION(
        `The exchange type ${JSON.stringify(type)} is not supported on AMQP; use direct, fanout or topic`,
      );
    }
  }

  // Refused names reject before connecting, so they never wait on a connection.
  async declareQueue(name: string, options: QueueOptions = {}): Promise<void> {
    this.checkQueue(name, options);
    await this.#assertQueue(await this.#model(), name, options);
    this.#record.queueDeclared(name, options);
  }

  async declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    this.checkExchange(name, options);
    await this.#assertExchange(await this.#model(), name, options);
    this.#record.exchangeDeclared(name, options);
  }

  async bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    checkAmqpName('queue', queue, { declaring: false });
    checkAmqpName('exchange', exchange, { declaring: false });
    await this.#bind(await this.#model(), queue, exchange, routingKey);
    this.#record.bound(queue, exchange, routingKey);
  }

  async deleteQueue(name: string): Promise<void> {
    checkAmqpName('queue', name, { declaring: false });
    const model = await this.#model();
    this.#record.queueDeleted(name);
    await this.#run(model, (channel) => channel.deleteQueue(name));
  }

  async deleteExchange(name: string): Promise<void> {
    checkAmqpName('exchange', name, { declaring: false });
    const model = await this.#model();
    this.#record.exchangeDeleted(name);
    await this.#run(model, (channel) => channel.deleteExchange(name));
  }

  async purgeQueue(name: string): Promise<number> {
    checkAmqpName('queue', name, { declaring: false });
    const model = await this.#model();
    try {
      const reply = await this.#run(model, (channel) => channel.purgeQueue(name));
      return reply.messageCount;
    } catch (error) {
      if (replyCode(error) === NOT_FOUND) {
        throw ERRORS.MS_QUEUE_NOT_FOUND(`The queue "${name}" does not exist`, { cause: error });
      }
      throw error;
    }
  }

  /** True when the broker has the exchange (a passive declare, on a throwaway channel since a miss closes it). */
  async hasExchange(name: string): Promise<boolean> {
    checkAmqpName('exchange', name, { declaring: false });
    const model = await this.#model();
    if (BUILT_IN_EXCHANGES.has(name)) return true;
    const probe = await model.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkExchange(name);
      return true;
    } catch (error) {
      if (replyCode(error) === NOT_FOUND) return false;
      throw error;
    } finally {
      await closeUntilGone(probe);
    }
  }

  /** How many consumers the broker has on a queue (the liveness check after a reconnect). */
  async consumerCount(model: ChannelModel, queue: string): Promise<number> {
    const reply = await this.#run(model, (channel) => channel.checkQueue(queue));
    return reply.consumerCount;
  }

  /** Declares a queue with raw amqplib options, not remembered for redeclaring (the delay buckets, see delayed.ts). */
  async assertRawQueue(model: ChannelModel, name: string, options: Record<string, unknown>): Promise<void> {
    await this.#run(model, (channel) => channel.assertQueue(name, options));
  }

  /** Resolves when the queue exists, rejects with the broker's NOT_FOUND otherwise. */
  async queueExists(model: ChannelModel, name: string): Promise<void> {
    await this.#run(model, (channel) => channel.checkQueue(name));
  }

  /** Declares everything remembered, on a new connection. */
  async redeclare(model: ChannelModel): Promise<void> {
    await this.#record.replay({
      declareExchange: (name, options) => this.#assertExchange(model, name, options),
      declareQueue: (name, options) => this.#assertQueue(model, name, options),
      bindQueue: (queue, exchange, routingKey) => this.#bind(model, queue, exchange, routingKey),
    });
  }

  async #assertExchange(model: ChannelModel, name: string, options: ExchangeOptions): Promise<void> {
    await this.#run(model, (channel) => channel.assertExchange(name, options.type, exchangeAssertOptions(options)));
  }

  async #bind(model: ChannelModel, queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.#run(model, (channel) => channel.bindQueue(queue, exchange, routingKey));
  }

  async #assertQueue(model: ChannelModel, name: string, options: QueueOptions): Promise<void> {
    const durable = options.durable ?? true;
    const deadLetter = typeof options.deadLetterQueue === 'string' ? options.deadLetterQueue : '';
    try {
      if (deadLetter) await this.#run(model, (channel) => channel.assertQueue(deadLetter, { durable }));
      const priorities = options.maxPriority === undefined ? {} : { maxPriority: options.maxPriority };
      await this.#run(model, (channel) => channel.assertQueue(name, { durable, ...priorities }));
    } catch (error) {
      if (replyCode(error) !== PRECONDITION_FAILED) throw error;
      // Declared earlier by someone else with other arguments (durability, TTL, quorum type...): use it
      // as it is rather than fail, since consuming and publishing work all the same.
      this.#logger.warn(`queue "${name}" exists with other arguments; using it as it is (${(error as Error).message})`);
      await this.#run(model, (channel) => channel.checkQueue(name));
    }
  }

  /** Runs one operation on the topology channel, opening a new one when the last failure closed it. */
  async #run<T>(model: ChannelModel, operation: (channel: Channel) => Promise<T>): Promise<T> {
    if (!this.#channel || this.#channelOf !== model) {
      this.#channelOf = model;
      // Shared by concurrent callers, so that they do not each open a channel.
      this.#channel = model.createChannel().then((channel) => {
        channel.on('error', (error: Error) => logWith(this.#logger, 'debug', { err: error }, 'topology channel'));
        channel.on('close', () => {
          if (this.#channel === opened) this.#channel = undefined;
        });
        return channel;
      });
      const opened = this.#channel;
      opened.catch(() => {
        if (this.#channel === opened) this.#channel = undefined;
      });
    }
    return operation(await this.#channel);
  }
}

/** amqplib's exchange options: durable by default; `autoDelete` and `arguments` as the caller gave them. */
function exchangeAssertOptions(options: ExchangeOptions): {
  durable: boolean;
  autoDelete?: boolean;
  arguments?: unknown;
} {
  return {
    durable: options.durable ?? true,
    ...(options.autoDelete ? { autoDelete: true } : {}),
    ...(options.arguments ? { arguments: { ...options.arguments } } : {}),
  };
}
