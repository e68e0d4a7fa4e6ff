/**
 * `memory://NAME`: the in-process transport. Same contract as the network transports (confirms, prefetch,
 * ack/nack, redelivery with `redelivered` and `deliveryCount`, delayed requeue, dead-lettering, exchanges),
 * on a broker shared by every transport in the process that uses the same NAME. It is the embedded default
 * for demos and tests, and fast; it is not durable, and says so once per process.
 */
import { logWith } from '../../../logging/fields.js';
import { getLogger, type Logger } from '../../../logging.js';
import { delayOf } from '../core/delayed-publish.js';
import { assertEncodableHeaders } from '../core/properties.js';
import { type TopologyPrimitives, TransportBase } from '../core/transport-base.js';
import type {
  ConsumeOptions,
  Delivery,
  DeliveryHandler,
  DeliveryInfo,
  MessageProperties,
  NackOptions,
  OutgoingMessage,
  PublishOptions,
  PublishTarget,
  ReplyHandler,
  ReplyInbox,
  Subscription,
  Transport,
  TransportCapabilities,
  TransportOptions,
} from '../transport.js';
import {
  type BrokerConsumer,
  type MemoryBroker,
  type MemoryQueue,
  memoryBroker,
  type StoredMessage,
} from './broker.js';
import { MemoryReplies } from './reply.js';

// Shared settled promises: the hot path returns these instead of allocating one per call.
const DONE: Promise<void> = Promise.resolve();
const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);

let warnedNotDurable = false;

const CAPABILITIES: TransportCapabilities = {
  exchangeTypes: ['direct', 'fanout', 'topic'],
  durable: false,
  nativeDeadLetter: true,
  exchangeOptions: ['autoDelete'],
  maxPriority: 255,
  delayedDelivery: 'in-process',
};

/** One message handed to a memory consumer. */
class MemoryDelivery implements Delivery {
  settled = false;
  readonly deliveryCount: number;
  #info: DeliveryInfo | undefined;

  readonly #deliveryTag: number;

  readonly #consumer: MemoryConsumer;

  readonly #queue: MemoryQueue;

  readonly #message: StoredMessage;

  constructor(message: StoredMessage, queue: MemoryQueue, consumer: MemoryConsumer, deliveryTag: number) {
    this.#deliveryTag = deliveryTag;
    this.#consumer = consumer;
    this.#queue = queue;
    this.#message = message;
    this.deliveryCount = message.deliveries;
  }

  get body(): Buffer {
    return this.#message.body;
  }

  get properties(): MessageProperties {
    return this.#message.properties;
  }

  get deliveryInfo(): DeliveryInfo {
    // Built on first read: most handlers never look at it.
    this.#info ??= {
      exchange: this.#message.exchange,
      routingKey: this.#message.routingKey,
      consumerTag: this.#consumer.tag,
      deliveryTag: this.#deliveryTag,
      redelivered: this.deliveryCount > 1,
    };
    return this.#info;
  }

  ack(): Promise<boolean> {
    if (!this.#settle()) return FALSE;
    return TRUE;
  }

  nack(options: NackOptions): Promise<boolean> {
    if (!this.#settle()) return FALSE;
    if (options.requeue) this.#queue.requeue(this.#message, options.delayMs);
    else this.#queue.deadLetter(this.#message, options.headers ?? {}, 'rejected');
    return TRUE;
  }

  /** Called when the connection closes with this delivery outstanding: the broker takes the message back. */
  returnToQueue(): void {
    if (!this.#queue.deleted) this.#queue.requeue(this.#message);
  }

  #settle(): boolean {
    if (this.settled) return false;
    if (this.#consumer.closed) {
      this.settled = true;
      this.#consumer.transport.logger.warn(
        `ack/nack of delivery ${this.#deliveryTag} dropped: its connection is closed (the message was requeued)`,
      );
      return false;
    }
    this.settled = true;
    this.#consumer.release(this);
    return true;
  }
}

/** A consumer on one queue, bound to the transport (the "channel") that created it. */
class MemoryConsumer implements BrokerConsumer {
  closed = false;
  cancelled = false;
  readonly #outstanding = new Set<MemoryDelivery>();

  readonly #prefetch: number;

  readonly #handler: DeliveryHandler;

  readonly #queue: MemoryQueue;

  constructor(
    readonly tag: string,
    readonly transport: MemoryTransport,
    queue: MemoryQueue,
    handler: DeliveryHandler,
    prefetch: number,
  ) {
    this.#prefetch = prefetch;
    this.#handler = handler;
    this.#queue = queue;
  }

  hasCapacity(): boolean {
    return !this.cancelled && (this.#prefetch <= 0 || this.#outstanding.size < this.#prefetch);
  }

  deliver(message: StoredMessage, queue: MemoryQueue): void {
    message.deliveries += 1;
    const delivery = new MemoryDelivery(message, queue, this, this.transport.nextDeliveryTag());
    this.#outstanding.add(delivery);
    try {
      this.#handler(delivery);
    } catch (error) {
      // The transport does not own handler errors; the delivery stays outstanding until acked, nacked or closed.
      logWith(this.transport.logger, 'error', { err: error }, `consumer ${this.tag} handler threw`);
    }
  }

  release(delivery: MemoryDelivery): void {
    this.#outstanding.delete(delivery);
    if (!this.cancelled && !this.#queue.deleted) this.#queue.schedule();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.#queue.removeConsumer(this);
  }

  queueDeleted(): void {
    this.cancelled = true;
  }

  /** The connection is gone: outstanding deliveries go back to the queue, marked redelivered. */
  close(): void {
    this.cancel();
    this.closed = true;
    for (const delivery of this.#outstanding) delivery.returnToQueue();
    this.#outstanding.clear();
  }
}

/**
 * The memory transport; see the module comment.
 * @example const transport = new MemoryTransport('tests'); await transport.connect();
 */
export class MemoryTransport extends TransportBase<MemoryConsumer> implements Transport {
  readonly capabilities = CAPABILITIES;
  readonly logger: Logger;
  readonly #broker: MemoryBroker;
  readonly #replies: MemoryReplies;
  /** The broker's declarations; they take effect at once. */
  readonly #declarations: TopologyPrimitives;
  #state: 'new' | 'open' | 'closed' = 'new';
  #deliveryTag = 0;

  constructor(brokerName: string, options: TransportOptions = {}) {
    super(`memory://${brokerName}`);
    this.logger = options.logger ?? getLogger('microservices.queues.memory');
    const broker = memoryBroker(brokerName, this.logger);
    this.#broker = broker;
    this.#replies = new MemoryReplies(broker);
    this.#declarations = {
      declareQueue: async (name, queueOptions = {}) => void broker.declareQueue(name, queueOptions),
      declareExchange: async (name, { type, autoDelete }) => broker.declareExchange(name, type, autoDelete ?? false),
      bindQueue: async (queue, exchange, routingKey) => broker.bindQueue(queue, exchange, routingKey),
      deleteQueue: async (name) => broker.deleteQueue(name),
      deleteExchange: async (name) => broker.deleteExchange(name),
      purgeQueue: async (name) => broker.queues.get(name)?.purge() ?? 0,
      hasExchange: async (name) => broker.hasExchange(name),
    };
  }

  get connected(): boolean {
    return this.#state === 'open';
  }

  connect(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#state === 'closed') return Promise.reject(this.closedError());
    if (this.#state === 'new') {
      this.#state = 'open';
      if (!warnedNotDurable) {
        warnedNotDurable = true;
        this.logger.warn('memory:// is in-process and not durable: queued messages are lost when the process exits');
      }
      this.emitEvent('connected');
    }
    return DONE;
  }

  protected async shutDown(): Promise<void> {
    this.#state = 'closed';
    for (const consumer of this.consumers) consumer.close();
    this.#replies.close();
    this.emitEvent('disconnected');
  }

  protected topology(): TopologyPrimitives {
    this.#ensureOpen();
    return this.#declarations;
  }

  protected send(target: PublishTarget, message: OutgoingMessage, options?: PublishOptions): Promise<void> {
    if (this.#state !== 'open') {
      // As on the network transports (the conformance suite checks it): no publish before connect().
      return Promise.reject(this.#state === 'closed' ? this.closedError() : this.notConnectedError());
    }
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    try {
      // Refused here as on the network transports, so a service moves between brokers unchanged.
      if (message.properties.headers !== undefined) assertEncodableHeaders(message.properties.headers);
      const delayMs = delayOf(target, options, this.name);
      if (delayMs > 0) this.#broker.publishDelayed(target.routingKey, message.body, message.properties, delayMs);
      else this.#broker.publish(target.exchange, target.routingKey, message.body, message.properties);
    } catch (error) {
      return Promise.reject(error);
    }
    return DONE;
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    this.#ensureOpen();
    const tag = this.consumerTagFor(options, 'memory-consumer');
    const consumer = new MemoryConsumer(tag, this, this.#broker.getQueue(queue), handler, options.prefetch);
    this.consumers.add(consumer);
    this.#broker.getQueue(queue).addConsumer(consumer);
    return {
      consumerTag: tag,
      cancel: async () => {
        consumer.cancel();
      },
    };
  }

  async replies(onReply: ReplyHandler): Promise<ReplyInbox> {
    this.#ensureOpen();
    return this.#replies.open(onReply);
  }

  async reply(address: string, message: OutgoingMessage): Promise<void> {
    this.#ensureOpen();
    return this.#replies.send(address, message);
  }

  nextDeliveryTag(): number {
    this.#deliveryTag += 1;
    return this.#deliveryTag;
  }

  #ensureOpen(): void {
    if (this.#state === 'closed') throw this.closedError();
  }
}

/**
 * Creates a memory transport; `memory://NAME` (or `memory://` for the name "default") picks the shared broker.
 * @example const transport = createMemoryTransport(new URL('memory://tests'), {});
 */
export function createMemoryTransport(url: URL, options: TransportOptions): Transport {
  const name = `${url.host}${url.pathname.replace(/\/+$/, '')}` || 'default';
  return new MemoryTransport(name, options);
}
