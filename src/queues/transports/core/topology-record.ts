/**
 * The record of what a transport declared (queues, exchanges, bindings), kept so that it can be declared
 * again on a new connection: a broker restarted without persistence comes back empty, and a consumer of a
 * queue that no longer exists would wait for ever. A delete forgets the object and every binding it had.
 */
import type { ExchangeOptions, QueueOptions } from '../transport.js';

/** One binding as it was declared. */
export interface RecordedBinding {
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
}

/** What replaying needs from a broker: the three declarations, each idempotent on a broker that kept them. */
export interface TopologyDeclarer {
  declareExchange(name: string, options: ExchangeOptions): Promise<void>;
  declareQueue(name: string, options: QueueOptions): Promise<void>;
  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void>;
}

/**
 * @example
 * const record = new TopologyRecord();
 * record.queueDeclared('jobs', { deadLetterQueue: 'jobs.dead' });
 * await record.replay(brokerDeclarations); // after a reconnect: exchanges, then queues, then bindings
 */
export class TopologyRecord {
  readonly #queues = new Map<string, QueueOptions>();
  readonly #exchanges = new Map<string, ExchangeOptions>();
  readonly #bindings = new Map<string, RecordedBinding>();

  queueDeclared(name: string, options: QueueOptions): void {
    this.#queues.set(name, options);
  }

  exchangeDeclared(name: string, options: ExchangeOptions): void {
    this.#exchanges.set(name, options);
  }

  bound(queue: string, exchange: string, routingKey: string): void {
    this.#bindings.set(`${queue}\u0000${exchange}\u0000${routingKey}`, { queue, exchange, routingKey });
  }

  /** Forgets the queue and the bindings to it. */
  queueDeleted(name: string): void {
    this.#queues.delete(name);
    for (const [key, binding] of this.#bindings) if (binding.queue === name) this.#bindings.delete(key);
  }

  /** Forgets the exchange and the bindings from it. */
  exchangeDeleted(name: string): void {
    this.#exchanges.delete(name);
    for (const [key, binding] of this.#bindings) if (binding.exchange === name) this.#bindings.delete(key);
  }

  /** The options a queue was declared with here, or undefined when this process did not declare it. */
  queueOptions(name: string): QueueOptions | undefined {
    return this.#queues.get(name);
  }

  hasExchange(name: string): boolean {
    return this.#exchanges.has(name);
  }

  /** Declares everything again, exchanges first so that the bindings find both ends. */
  async replay(declarer: TopologyDeclarer): Promise<void> {
    for (const [name, options] of [...this.#exchanges]) await declarer.declareExchange(name, options);
    for (const [name, options] of [...this.#queues]) await declarer.declareQueue(name, options);
    for (const binding of [...this.#bindings.values()]) {
      await declarer.bindQueue(binding.queue, binding.exchange, binding.routingKey);
    }
  }
}
