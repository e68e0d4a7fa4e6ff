/**
 * The in-process broker behind `memory://NAME`: queues, exchanges (direct, fanout, topic), prefetch-bounded
 * round-robin dispatch, requeue, delayed requeue and dead-lettering, with the same observable semantics as
 * RabbitMQ. Every transport opened on the same name shares one broker (see DESIGN.md), as kombu's memory
 * transport does. Messages live only in this process: nothing here is durable.
 */
import { ERRORS, type MicroservicesError } from '../../../errors.js';
import type { Logger } from '../../../logging.js';
import { compileTopic } from '../core/topic.js';
import type { ExchangeType, MessageProperties, QueueOptions } from '../transport.js';
import { PriorityReady } from './priority-ready.js';

/** A message as the broker stores it: one record per queue, since delivery counts are per queue. */
export interface StoredMessage {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly exchange: string;
  readonly routingKey: string;
  /** How many times it has been handed to a consumer. */
  deliveries: number;
  readonly expiresAt: number | undefined;
}

/** Something that takes messages off a queue; implemented by the memory transport's consumers. */
export interface BrokerConsumer {
  /** True while the consumer may take one more message under its prefetch. */
  hasCapacity(): boolean;
  deliver(message: StoredMessage, queue: MemoryQueue): void;
  /** The queue was deleted under the consumer. */
  queueDeleted(): void;
}

interface Binding {
  readonly queue: string;
  readonly routingKey: string;
  readonly matches: (routingKey: string) => boolean;
}

interface MemoryExchange {
  readonly type: ExchangeType;
  readonly bindings: Binding[];
  /** As RabbitMQ's auto-delete: the exchange goes once it had a binding and the last one is removed. */
  readonly autoDelete: boolean;
}

/** Messages delivered per dispatch turn before yielding to the event loop, so a hot requeue loop cannot starve it. */
const DISPATCH_BUDGET = 4096;

/**
 * One queue: ready messages plus the consumers it round-robins over.
 * @example broker.declareQueue('q', { deadLetterQueue: 'q.dead-letter' }).purge(); // 0
 */
export class MemoryQueue {
  /** Ready messages, highest priority first where the queue has a `maxPriority` (FIFO otherwise). */
  readonly ready = new PriorityReady<StoredMessage>((message) =>
    Math.min(message.properties.priority ?? 0, this.options.maxPriority ?? 0),
  );
  readonly consumers: BrokerConsumer[] = [];
  deleted = false;
  #nextConsumer = 0;
  #scheduled = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  readonly #broker: MemoryBroker;

  constructor(
    readonly name: string,
    public options: QueueOptions,
    broker: MemoryBroker,
  ) {
    this.#broker = broker;
  }

  enqueue(message: StoredMessage): void {
    this.ready.push(message);
    this.schedule();
  }

  /** Puts a message back first in line (immediate requeue) or, after `delayMs`, at the tail. */
  requeue(message: StoredMessage, delayMs = 0): void {
    if (delayMs <= 0) {
      this.ready.unshift(message);
      this.schedule();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.deleted) this.enqueue(message);
    }, delayMs);
    // The broker is not durable anyway: a pending delayed requeue must not keep a stopped process alive.
    timer.unref();
    this.#timers.add(timer);
  }

  deadLetter(message: StoredMessage, headers: Readonly<Record<string, unknown>>, reason: string): void {
    this.#broker.deadLetter(this, message, headers, reason);
  }

  addConsumer(consumer: BrokerConsumer): void {
    this.consumers.push(consumer);
    this.schedule();
  }

  removeConsumer(consumer: BrokerConsumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  /** Asks for a dispatch turn; batched so that a burst of publishes or acks costs one turn. */
  schedule(): void {
    if (this.#scheduled || this.consumers.length === 0 || this.ready.length === 0) return;
    this.#scheduled = true;
    queueMicrotask(this.#dispatch);
  }

  /** Removes the ready messages and returns how many there were (unacknowledged ones stay, as in AMQP). */
  purge(): number {
    return this.ready.clear();
  }

  destroy(): void {
    this.deleted = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.ready.clear();
    for (const consumer of this.consumers.splice(0)) consumer.queueDeleted();
  }

  readonly #dispatch = (): void => {
    this.#scheduled = false;
    let budget = DISPATCH_BUDGET;
    while (this.ready.length > 0 && budget > 0) {
      const consumer = this.#pickConsumer();
      if (!consumer) return;
      const message = this.ready.shift() as StoredMessage;
      if (message.expiresAt !== undefined && message.expiresAt <= Date.now()) {
        this.deadLetter(message, {}, 'expired');
        continue;
      }
      budget -= 1;
      consumer.deliver(message, this);
    }
    if (this.ready.length > 0 && !this.#scheduled && this.consumers.length > 0) {
      this.#scheduled = true;
      setImmediate(this.#dispatch);
    }
  };

  #pickConsumer(): BrokerConsumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i += 1) {
      const index = (this.#nextConsumer + i) % count;
      const consumer = this.consumers[index] as BrokerConsumer;
      if (consumer.hasCapacity()) {
        this.#nextConsumer = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }
}

/**
 * The broker: topology and routing.
 * @example const broker = memoryBroker('demo', logger); broker.declareQueue('q', {}); broker.publish('', 'q', body, {});
 */
export class MemoryBroker {
  readonly queues = new Map<string, MemoryQueue>();
  readonly #exchanges = new Map<string, MemoryExchange>();

  readonly #logger: Logger;

  constructor(
    readonly name: string,
    logger: Logger,
  ) {
    this.#logger = logger;
  }

  declareQueue(name: string, options: QueueOptions): MemoryQueue {
    let queue = this.queues.get(name);
    if (queue) {
      // A plain re-declaration (a client binding the queue) keeps what the owner declared, e.g. its dead-letter queue.
      queue.options = { ...queue.options, ...options };
    } else {
      queue = new MemoryQueue(name, options, this);
      this.queues.set(name, queue);
    }
    return queue;
  }

  getQueue(name: string): MemoryQueue {
    const queue = this.queues.get(name);
    if (!queue) throw ERRORS.MS_QUEUE_NOT_FOUND(`memory broker "${this.name}": no queue "${name}"`);
    return queue;
  }

  deleteQueue(name: string): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    this.queues.delete(name);
    queue.destroy();
    for (const [exchangeName, exchange] of this.#exchanges) {
      const before = exchange.bindings.length;
      for (let i = exchange.bindings.length - 1; i >= 0; i -= 1) {
        if (exchange.bindings[i]?.queue === name) exchange.bindings.splice(i, 1);
      }
      if (exchange.autoDelete && before > 0 && exchange.bindings.length === 0) this.#exchanges.delete(exchangeName);
    }
  }

  declareExchange(name: string, type: ExchangeType, autoDelete = false): void {
    const existing = this.#exchanges.get(name);
    if (existing && existing.type !== type) {
      throw ERRORS.MS_QUEUE_EXCHANGE_MISMATCH(
        `exchange "${name}" already exists with type ${existing.type}, not ${type}`,
      );
    }
    if (!existing) this.#exchanges.set(name, { type, bindings: [], autoDelete });
  }

  hasExchange(name: string): boolean {
    return this.#exchanges.has(name);
  }

  deleteExchange(name: string): void {
    this.#exchanges.delete(name);
  }

  bindQueue(queue: string, exchangeName: string, routingKey: string): void {
    const exchange = this.#exchanges.get(exchangeName);
    if (!exchange) throw unknownExchange(exchangeName);
    this.getQueue(queue);
    const duplicate = exchange.bindings.some((b) => b.queue === queue && b.routingKey === routingKey);
    if (duplicate) return;
    const matches = exchange.type === 'topic' ? compileTopic(routingKey) : (key: string): boolean => key === routingKey;
    exchange.bindings.push({ queue, routingKey, matches });
  }

  /** Routes a message and enqueues one copy per matching queue; throws when it reaches no queue (mandatory). */
  publish(exchangeName: string, routingKey: string, body: Buffer, properties: MessageProperties): void {
    const expiresAt = properties.expiration === undefined ? undefined : Date.now() + properties.expiration;
    if (exchangeName === '') {
      const queue = this.queues.get(routingKey);
      if (!queue) throw unroutable(exchangeName, routingKey);
      queue.enqueue({ body, properties, exchange: '', routingKey, deliveries: 0, expiresAt });
      return;
    }
    const exchange = this.#exchanges.get(exchangeName);
    if (!exchange) throw unknownExchange(exchangeName);
    let routed = 0;
    const seen = exchange.bindings.length > 1 ? new Set<string>() : undefined;
    for (const binding of exchange.bindings) {
      if (exchange.type !== 'fanout' && !binding.matches(routingKey)) continue;
      if (seen) {
        if (seen.has(binding.queue)) continue;
        seen.add(binding.queue);
      }
      const queue = this.queues.get(binding.queue);
      if (!queue) continue;
      queue.enqueue({ body, properties, exchange: exchangeName, routingKey, deliveries: 0, expiresAt });
      routed += 1;
    }
    if (routed === 0) throw unroutable(exchangeName, routingKey);
  }

  /** Enqueues a message on queue `name` after `delayMs` (a timer of this process); throws now when there is no such queue. */
  publishDelayed(name: string, body: Buffer, properties: MessageProperties, delayMs: number): void {
    const queue = this.queues.get(name);
    if (!queue) throw unroutable('', name);
    const expiresAt = properties.expiration === undefined ? undefined : Date.now() + delayMs + properties.expiration;
    queue.requeue({ body, properties, exchange: '', routingKey: name, deliveries: 0, expiresAt }, delayMs);
  }

  /** Sends a rejected or expired message to its queue's dead-letter queue, or drops it when there is none. */
  deadLetter(
    from: MemoryQueue,
    message: StoredMessage,
    headers: Readonly<Record<string, unknown>>,
    reason: string,
  ): void {
    const target = from.options.deadLetterQueue;
    const queue = typeof target === 'string' ? this.queues.get(target) : undefined;
    if (!queue) {
      if (typeof target === 'string') {
        this.#logger.warn(`dead-letter queue "${target}" of "${from.name}" does not exist; message dropped`);
      }
      return;
    }
    const properties: MessageProperties = {
      ...message.properties,
      headers: {
        ...message.properties.headers,
        ...headers,
        'x-first-death-queue': from.name,
        'x-first-death-reason': reason,
      },
    };
    queue.enqueue({
      body: message.body,
      properties,
      exchange: '',
      routingKey: target as string,
      deliveries: 0,
      expiresAt: undefined,
    });
  }
}

function unknownExchange(name: string): MicroservicesError {
  return ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`exchange "${name}" does not exist`);
}

function unroutable(exchange: string, routingKey: string): MicroservicesError {
  const where = exchange === '' ? `queue "${routingKey}" does not exist` : `no queue is bound to "${exchange}"`;
  return ERRORS.MS_QUEUE_UNROUTABLE(`message unroutable: ${where} for routing key "${routingKey}"`);
}

const brokers = new Map<string, MemoryBroker>();

/**
 * The process-wide broker for a name; created on first use. The one deliberate global (DESIGN.md).
 * @example memoryBroker('tests', logger).declareQueue('q', {});
 */
export function memoryBroker(name: string, logger: Logger): MemoryBroker {
  let broker = brokers.get(name);
  if (!broker) {
    broker = new MemoryBroker(name, logger);
    brokers.set(name, broker);
  }
  return broker;
}
