/**
 * Queues, exchanges and bindings of the streams transport, stored in Redis itself (see redis-keys.ts) so that
 * a publisher in another process routes by the same bindings. The transport also remembers what it declared,
 * to declare it again after the server comes back empty (a restart without persistence).
 */
import { ERRORS } from '../../../errors.js';
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

export class RedisTopology {
  readonly #keys: RedisKeys;
  readonly #group: string;
  readonly #declaredQueues = new Map<string, QueueOptions>();
  readonly #declaredExchanges = new Map<string, ExchangeOptions>();
  readonly #declaredBindings = new Map<string, readonly [string, string, string]>();
  /** Dead-letter queue per queue, from this process's declarations or read back from Redis. */
  readonly #deadLetters = new Map<string, string | undefined>();

  constructor(keys: RedisKeys, group: string) {
    this.#keys = keys;
    this.#group = group;
  }

  /** Creates the queue's consumer group from the stream's start, so messages already there are delivered. */
  async ensureGroup(redis: RedisCommands, queue: string): Promise<void> {
    try {
      await redis.call('XGROUP', 'CREATE', this.#keys.stream(queue), this.#group, '0', 'MKSTREAM');
    } catch (error) {
      if (!isBusyGroup(error)) throw error;
    }
  }

  async declareQueue(redis: RedisCommands, name: string, options: QueueOptions = {}): Promise<void> {
    await this.ensureGroup(redis, name);
    const stored: StoredQueueOptions = {
      durable: options.durable ?? true,
      deadLetterQueue: options.deadLetterQueue ?? false,
    };
    await redis.call('HSET', this.#keys.queues, name, JSON.stringify(stored));
    this.#declaredQueues.set(name, options);
    this.#deadLetters.set(name, typeof options.deadLetterQueue === 'string' ? options.deadLetterQueue : undefined);
  }

  async declareExchange(redis: RedisCommands, name: string, options: ExchangeOptions): Promise<void> {
    const created = await redis.call('HSETNX', this.#keys.exchanges, name, options.type);
    if (Number(created) === 0) {
      const existing = await redis.call('HGET', this.#keys.exchanges, name);
      if (existing !== null && String(existing) !== options.type) {
        throw ERRORS.MS_QUEUE_EXCHANGE_MISMATCH(
          `exchange "${name}" exists with type ${String(existing)}, not ${options.type}`,
        );
      }
    }
    this.#declaredExchanges.set(name, options);
  }

  async bindQueue(redis: RedisCommands, queue: string, exchange: string, routingKey: string): Promise<void> {
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
    this.#declaredBindings.set(`${exchange}\u0000${binding}`, [queue, exchange, routingKey]);
  }

  async deleteQueue(redis: RedisCommands, name: string): Promise<void> {
    const { exchanges, queues } = this.#keys;
    await runScript(
      redis,
      DELETE_QUEUE,
      [],
      [exchanges, this.#keys.bindings(''), queues, this.#keys.stream(name), name],
    );
    this.#declaredQueues.delete(name);
    this.#deadLetters.delete(name);
    for (const [key, [queue]] of this.#declaredBindings) if (queue === name) this.#declaredBindings.delete(key);
  }

  async deleteExchange(redis: RedisCommands, name: string): Promise<void> {
    await redis.call('HDEL', this.#keys.exchanges, name);
    await redis.call('DEL', this.#keys.bindings(name));
    this.#declaredExchanges.delete(name);
    for (const [key, [, exchange]] of this.#declaredBindings) if (exchange === name) this.#declaredBindings.delete(key);
  }

  async purgeQueue(redis: RedisCommands, name: string): Promise<number> {
    return Number(await runScript(redis, PURGE, [this.#keys.stream(name)], [this.#group]));
  }

  async hasExchange(redis: RedisCommands, name: string): Promise<boolean> {
    return Number(await redis.call('HEXISTS', this.#keys.exchanges, name)) === 1;
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
  async restore(redis: RedisCommands): Promise<void> {
    for (const [name, options] of this.#declaredQueues) await this.declareQueue(redis, name, options);
    for (const [name, options] of this.#declaredExchanges) await this.declareExchange(redis, name, options);
    for (const [queue, exchange, routingKey] of this.#declaredBindings.values()) {
      await this.bindQueue(redis, queue, exchange, routingKey);
    }
  }
}
