/**
 * Queues, exchanges and bindings of the streams transport, stored in Redis itself (see redis-keys.ts) so that
 * a publisher in another process routes by the same bindings. The transport also remembers what it declared,
 * to declare it again after the server comes back empty (a restart without persistence).
 */
import { ERRORS } from '../../../errors.js';
import { TopologyRecord } from '../core/topology-record.js';
import type { TopologyPrimitives } from '../core/transport-base.js';
import type { ExchangeOptions, QueueOptions } from '../transport.js';
import type { RedisCommands } from './connection.js';
import type { RedisKeys } from './names.js';
import { DELETE_QUEUE, PURGE, runScript } from './scripts.js';

interface StoredQueueOptions {
  readonly deadLetterQueue?: string | false;
  readonly durable?: boolean;
}

function isBusyGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

/**
 * @example
 * const topology = new RedisTopology(keys, 'ms', () => control);
 * await topology.declareQueue('jobs');
 * await topology.restore(control); // after the server came back
 */
export class RedisTopology implements TopologyPrimitives {
  readonly #keys: RedisKeys;
  readonly #group: string;
  readonly #record = new TopologyRecord();
  /** Dead-letter queue per queue, from this process's declarations or read back from Redis. */
  readonly #deadLetters = new Map<string, string | undefined>();
  /** The connection for commands; throws MS_QUEUE_CLOSED once the transport is closed. */
  readonly #commands: () => RedisCommands;

  constructor(keys: RedisKeys, group: string, commands: () => RedisCommands) {
    this.#keys = keys;
    this.#group = group;
    this.#commands = commands;
  }

  /** Creates the queue's consumer group from the stream's start, so messages already there are delivered. */
  async ensureGroup(redis: RedisCommands, queue: string): Promise<void> {
    try {
      await redis.call('XGROUP', 'CREATE', this.#keys.stream(queue), this.#group, '0', 'MKSTREAM');
    } catch (error) {
      if (!isBusyGroup(error)) throw error;
    }
  }

  declareQueue(name: string, options?: QueueOptions): Promise<void> {
    return this.#declareQueue(this.#commands(), name, options);
  }

  declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    return this.#declareExchange(this.#commands(), name, options);
  }

  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    return this.#bindQueue(this.#commands(), queue, exchange, routingKey);
  }

  async #declareQueue(redis: RedisCommands, name: string, options: QueueOptions = {}): Promise<void> {
    await this.ensureGroup(redis, name);
    const stored: StoredQueueOptions = {
      durable: options.durable ?? true,
      deadLetterQueue: options.deadLetterQueue ?? false,
    };
    await redis.call('HSET', this.#keys.queues, name, JSON.stringify(stored));
    this.#record.queueDeclared(name, options);
    this.#deadLetters.set(name, typeof options.deadLetterQueue === 'string' ? options.deadLetterQueue : undefined);
  }

  async #declareExchange(redis: RedisCommands, name: string, options: ExchangeOptions): Promise<void> {
    const created = await redis.call('HSETNX', this.#keys.exchanges, name, options.type);
    if (Number(created) === 0) {
      const existing = await redis.call('HGET', this.#keys.exchanges, name);
      if (existing !== null && String(existing) !== options.type) {
        throw ERRORS.MS_QUEUE_EXCHANGE_MISMATCH(
          `exchange "${name}" exists with type ${String(existing)}, not ${options.type}`,
        );
      }
    }
    this.#record.exchangeDeclared(name, options);
  }

  async #bindQueue(redis: RedisCommands, queue: string, exchange: string, routingKey: string): Promise<void> {
    const [hasExchange, hasQueue] = await Promise.all([
      redis.call('HEXISTS', this.#keys.exchanges, exchange),
      redis.call('HEXISTS', this.#keys.queues, queue),
    ]);
    if (Number(hasExchange) === 0) {
      throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`no exchange "${exchange}" to bind to`);
    }
    if (Number(hasQueue) === 0) throw ERRORS.MS_QUEUE_NOT_FOUND(`no queue "${queue}" to bind`);
    const binding = JSON.stringify([routingKey, queue]);
    await redis.call('SADD', this.#keys.bindings(exchange), binding);
    this.#record.bound(queue, exchange, routingKey);
  }

  /** Deletes the queue's stream, its bindings and its delayed messages. */
  async deleteQueue(name: string): Promise<void> {
    const redis = this.#commands();
    const { exchanges, queues } = this.#keys;
    await runScript(
      redis,
      DELETE_QUEUE,
      [],
      [exchanges, this.#keys.bindings(''), queues, this.#keys.stream(name), name],
    );
    this.#record.queueDeleted(name);
    this.#deadLetters.delete(name);
    await redis.call('DEL', this.#keys.delayed(name));
  }

  async deleteExchange(name: string): Promise<void> {
    const redis = this.#commands();
    await redis.call('HDEL', this.#keys.exchanges, name);
    await redis.call('DEL', this.#keys.bindings(name));
    this.#record.exchangeDeleted(name);
  }

  async purgeQueue(name: string): Promise<number> {
    return Number(await runScript(this.#commands(), PURGE, [this.#keys.stream(name)], [this.#group]));
  }

  async hasExchange(name: string): Promise<boolean> {
    return Number(await this.#commands().call('HEXISTS', this.#keys.exchanges, name)) === 1;
  }

  /** The dead-letter stream of a queue, or undefined when its messages are dropped. */
  async deadLetterStream(redis: RedisCommands, queue: string): Promise<string | undefined> {
    if (!this.#deadLetters.has(queue)) {
      const raw = await redis.call('HGET', this.#keys.queues, queue);
      let stored: StoredQueueOptions = {};
      try {
        stored = raw === null ? {} : (JSON.parse(String(raw)) as StoredQueueOptions);
      } catch {
        // A hand-written value is treated as "no dead-letter queue".
      }
      this.#deadLetters.set(queue, typeof stored.deadLetterQueue === 'string' ? stored.deadLetterQueue : undefined);
    }
    const deadLetterQueue = this.#deadLetters.get(queue);
    return deadLetterQueue === undefined ? undefined : this.#keys.stream(deadLetterQueue);
  }

  /** Declares again everything this process declared (idempotent on a server that kept it). */
  restore(redis: RedisCommands): Promise<void> {
    return this.#record.replay({
      declareExchange: (name, options) => this.#declareExchange(redis, name, options),
      declareQueue: (name, options) => this.#declareQueue(redis, name, options),
      bindQueue: (queue, exchange, routingKey) => this.#bindQueue(redis, queue, exchange, routingKey),
    });
  }
}
