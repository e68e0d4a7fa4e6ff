/**
 * Queues, exchanges and bindings as JetStream objects:
 * - a queue is a work-queue stream `MSQ_<queue>` on subject `msq.<queue>` with one shared durable pull
 *   consumer, so every consumer of the queue competes for its messages;
 * - an exchange is an interest stream `MSE_<exchange>` on `mse.<exchange>.>` (a message nobody is bound to
 *   is dropped, as AMQP drops unroutable messages);
 * - a binding is a durable consumer on the exchange stream whose filter subject encodes the routing rule.
 * Each declaration is remembered so that it can be replayed after a reconnect.
 */
import { createHash } from 'node:crypto';
import type { ConsumerConfig, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { ERRORS } from '../../../errors.js';
import { TopologyRecord } from '../core/topology-record.js';
import type { TopologyPrimitives } from '../core/transport-base.js';
import type { ExchangeOptions, ExchangeType, QueueOptions } from '../transport.js';
import {
  bindingConsumerName,
  bindingFilters,
  exchangeStreamName,
  natsToken,
  QUEUE_CONSUMER_NAME,
  queueStreamName,
  queueSubject,
  subjectMatches,
} from './names.js';
import type { NatsJetStream } from './peer.js';
import type { NatsSettings } from './settings.js';

/** Where a queue's consumer pulls from: its own stream, or one binding on an exchange stream. */
export interface NatsSource {
  readonly stream: string;
  readonly consumer: string;
  readonly exchange: string;
}

interface QueueDescription {
  readonly kind: 'queue';
  readonly queue: string;
  readonly deadLetterQueue: string | false | null;
}
interface ExchangeDescription {
  readonly kind: 'exchange';
  readonly type: ExchangeType;
}
interface BindingDescription {
  readonly kind: 'binding';
  readonly queue: string;
  readonly routingKey: string;
}

const NANOS_PER_MS = 1_000_000;
const ROUTE_CACHE_MS = 1000;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function parseDescription<T>(text: string | undefined): Partial<T> {
  try {
    return text ? (JSON.parse(text) as Partial<T>) : {};
  } catch {
    return {};
  }
}

/** True for "stream not found" and "consumer not found" API errors. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 10059 || code === 10014 || code === 404;
}

export class NatsTopology implements TopologyPrimitives {
  readonly #record = new TopologyRecord();
  /** Filter subjects of each exchange's bindings, read from the server and kept briefly. */
  readonly #routes = new Map<string, { readonly readAt: number; readonly filters: readonly string[] }>();

  readonly #api: NatsJetStream;

  readonly #settings: NatsSettings;

  readonly #jsm: () => JetStreamManager;

  constructor(jsm: () => JetStreamManager, settings: NatsSettings, api: NatsJetStream) {
    this.#api = api;
    this.#settings = settings;
    this.#jsm = jsm;
  }

  /** Creates the stream, or updates it when it exists with other settings. */
  async #ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    const manager = this.#jsm();
    try {
      await manager.streams.add(config);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 10058) throw error;
      await manager.streams.update(config.name, config);
    }
  }

  async #ensureConsumer(stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
    const manager = this.#jsm();
    const full: Partial<ConsumerConfig> = {
      ack_policy: this.#api.AckPolicy.Explicit,
      ack_wait: this.#settings.ackWaitMs * NANOS_PER_MS,
      max_deliver: this.#settings.maxDeliver,
      max_ack_pending: 10_000,
      ...config,
    };
    try {
      await manager.consumers.add(stream, full);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 10013 && (error as { code?: unknown }).code !== 10148) throw error;
      await manager.consumers.update(stream, config.durable_name, full);
    }
  }

  #storage(durable: boolean | undefined): StreamConfig['storage'] {
    return durable === false ? this.#api.StorageType.Memory : this.#api.StorageType.File;
  }

  async declareQueue(name: string, options: QueueOptions = {}): Promise<void> {
    const description: QueueDescription = {
      kind: 'queue',
      queue: name,
      deadLetterQueue: options.deadLetterQueue ?? null,
    };
    const stream = queueStreamName(name);
    await this.#ensureStream({
      name: stream,
      subjects: [queueSubject(name)],
      retention: this.#api.RetentionPolicy.Workqueue,
      storage: this.#storage(options.durable),
      duplicate_window: this.#settings.duplicateWindowMs * NANOS_PER_MS,
      description: JSON.stringify(description),
    });
    await this.#ensureConsumer(stream, { durable_name: QUEUE_CONSUMER_NAME });
    this.#record.queueDeclared(name, options);
  }

  async declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    const description: ExchangeDescription = { kind: 'exchange', type: options.type };
    await this.#ensureStream({
      name: exchangeStreamName(name),
      subjects: [`mse.${natsToken(name)}.>`],
      retention: this.#api.RetentionPolicy.Interest,
      storage: this.#storage(options.durable),
      duplicate_window: this.#settings.duplicateWindowMs * NANOS_PER_MS,
      description: JSON.stringify(description),
    });
    this.#record.exchangeDeclared(name, options);
  }

  async hasExchange(name: string): Promise<boolean> {
    return name === '' || (await this.exchangeType(name)) !== undefined;
  }

  /** The exchange's type as stored on the server, or undefined when no such exchange exists. */
  async exchangeType(name: string): Promise<ExchangeType | undefined> {
    try {
      const info = await this.#jsm().streams.info(exchangeStreamName(name));
      const description = parseDescription<ExchangeDescription>(info.config.description);
      return description.kind === 'exchange' ? description.type : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    const type = await this.exchangeType(exchange);
    if (!type) throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`No exchange "${exchange}" to bind "${queue}" to`);
    let filters: string[];
    try {
      filters = bindingFilters(exchange, type, routingKey);
    } catch (error) {
      throw ERRORS.MS_QUEUE_BAD_BINDING((error as Error).message, { cause: error });
    }
    const description: BindingDescription = { kind: 'binding', queue, routingKey };
    const baseName = bindingConsumerName(queue, routingKey, shortHash);
    for (const [index, filter] of filters.entries()) {
      await this.#ensureConsumer(exchangeStreamName(exchange), {
        durable_name: index === 0 ? baseName : `${baseName}_${index}`,
        filter_subject: filter,
        // A new binding sees only what is published from now on, as an AMQP binding does.
        deliver_policy: this.#api.DeliverPolicy.New,
        description: JSON.stringify(description),
      });
    }
    this.#routes.delete(exchange);
    this.#record.bound(queue, exchange, routingKey);
  }

  async #readFilters(exchange: string): Promise<readonly string[]> {
    const filters: string[] = [];
    try {
      for await (const consumer of this.#jsm().consumers.list(exchangeStreamName(exchange))) {
        if (consumer.config.filter_subject) filters.push(consumer.config.filter_subject);
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.#routes.set(exchange, { readAt: Date.now(), filters });
    return filters;
  }

  /**
   * True when some binding of the exchange takes the subject. A cached answer of "routable" is trusted for
   * a second; "not routable" is always re-read, so a binding made by another process is never missed.
   */
  async routable(exchange: string, subject: string): Promise<boolean> {
    const cached = this.#routes.get(exchange);
    const matches = (filters: readonly string[]): boolean => filters.some((filter) => subjectMatches(filter, subject));
    if (cached && Date.now() - cached.readAt < ROUTE_CACHE_MS && matches(cached.filters)) return true;
    return matches(await this.#readFilters(exchange));
  }

  /** The queue's own stream and every binding consumer that feeds it, across all exchanges. */
  async sources(queue: string): Promise<NatsSource[]> {
    const manager = this.#jsm();
    const found: NatsSource[] = [{ stream: queueStreamName(queue), consumer: QUEUE_CONSUMER_NAME, exchange: '' }];
    // Only exchange streams (their subjects are under mse.>) can hold bindings.
    for await (const stream of manager.streams.list('mse.>')) {
      const exchange = parseDescription<ExchangeDescription>(stream.config.description);
      if (exchange.kind !== 'exchange' || !stream.config.name.startsWith('MSE_')) continue;
      for await (const consumer of manager.consumers.list(stream.config.name)) {
        const binding = parseDescription<BindingDescription>(consumer.config.description);
        if (binding.kind === 'binding' && binding.queue === queue) {
          found.push({ stream: stream.config.name, consumer: consumer.name, exchange: stream.config.name });
        }
      }
    }
    return found;
  }

  /** Where `nack({requeue: false})` sends the queue's messages: from this process's declaration, else the server's. */
  async deadLetterQueue(queue: string): Promise<string | false | undefined> {
    const local = this.#record.queueOptions(queue);
    if (local) return local.deadLetterQueue;
    try {
      const info = await this.#jsm().streams.info(queueStreamName(queue));
      return parseDescription<QueueDescription>(info.config.description).deadLetterQueue ?? undefined;
    } catch {
      return undefined;
    }
  }

  async #deleteStream(name: string): Promise<void> {
    try {
      await this.#jsm().streams.delete(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async deleteQueue(name: string): Promise<void> {
    for (const source of await this.sources(name)) {
      if (source.exchange === '') continue;
      await this.#jsm()
        .consumers.delete(source.stream, source.consumer)
        .catch(() => undefined);
    }
    await this.#deleteStream(queueStreamName(name));
    this.#record.queueDeleted(name);
  }

  async deleteExchange(name: string): Promise<void> {
    await this.#deleteStream(exchangeStreamName(name));
    this.#record.exchangeDeleted(name);
    this.#routes.delete(name);
  }

  /**
   * Empties the queue's stream, and resets each binding consumer to "new messages only" (JetStream cannot
   * purge one consumer's share of an interest stream). Resolves to the number of waiting messages removed.
   */
  async purgeQueue(name: string): Promise<number> {
    const manager = this.#jsm();
    let removed = 0;
    for (const source of await this.sources(name)) {
      if (source.exchange === '') {
        try {
          removed += (await manager.streams.purge(source.stream)).purged;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        continue;
      }
      const info = await manager.consumers.info(source.stream, source.consumer);
      removed += info.num_pending;
      await manager.consumers.delete(source.stream, source.consumer);
      await this.#jsm().consumers.add(source.stream, { ...info.config, deliver_policy: this.#api.DeliverPolicy.New });
    }
    return removed;
  }

  /** Re-creates everything declared through this transport, after a reconnect to a server that may have lost it. */
  replay(): Promise<void> {
    return this.#record.replay(this);
  }
}
