/**
 * The `redis://` transport on Redis Streams with consumer groups (ioredis, an optional peer dependency).
 * A queue is a stream read by one consumer group; exchanges route in a Lua script by bindings stored in
 * Redis; a publish settles on the script's reply (the XADD); consumers ack with a fenced XACK + XDEL, take
 * over crashed consumers' entries with XAUTOCLAIM after min-idle, and count deliveries with XPENDING.
 * See docs/transports/redis.md for the key layout, the URL parameters and the limits.
 */
import { randomBytes } from 'node:crypto';
import { unlessAborted } from '../../../internal/race.js';
import { logWith } from '../../../logging/fields.js';
import { getLogger, type Logger } from '../../../logging.js';
import { DURABLE_EMULATED_DEAD_LETTER } from '../core/capabilities.js';
import { delayOf } from '../core/delayed-publish.js';
import { TransportBase } from '../core/transport-base.js';
import type * as Contract from '../transport.js';
import { encodeEntry } from './codec.js';
import {
  commandTimeout,
  connectClient,
  createRedisClient,
  loadRedisConstructor,
  type RedisClient,
  unlessClosed,
} from './connection.js';
import { type ConsumerEnvironment, RedisConsumer } from './consumer.js';
import { DelayPromoter, SCHEDULE, scheduleArguments } from './delayed.js';
import { type RedisKeys, redisKeys } from './names.js';
import { openRedisInbox, sendRedisReply } from './reply.js';
import { ROUTE_MANY, RouteBatcher, routingError } from './route-batch.js';
import { loadScripts, runScript } from './scripts.js';
import { parseRedisUrl, type RedisTransportOptions, type RedisTransportSettings } from './settings.js';
import { SETTLE_MANY } from './settle-batch.js';
import { RedisTopology } from './topology.js';

type RedisConstructor = Awaited<ReturnType<typeof loadRedisConstructor>>;

export type { RedisTransportOptions } from './settings.js';

export class RedisTransport extends TransportBase<RedisConsumer> implements Contract.Transport {
  // Delayed messages wait in a sorted set on the server until a consumer promotes them (delayed.ts).
  readonly capabilities: Contract.TransportCapabilities = {
    ...DURABLE_EMULATED_DEAD_LETTER,
    delayedDelivery: 'broker',
  };
  readonly #settings: RedisTransportSettings;
  readonly #options: RedisTransportOptions;
  readonly #keys: RedisKeys;
  readonly #topology: RedisTopology;
  readonly #logger: Logger;
  readonly #control: RedisClient;
  readonly #publisher: RedisClient;
  readonly #promoters = new Set<DelayPromoter>();
  readonly #openReader: () => RedisClient;
  /** Routes the publishes of one event-loop turn in one script call. */
  readonly #routes: RouteBatcher;
  readonly #inboxes = new Set<Contract.ReplyInbox>();
  #everConnected = false;
  #reconnectAttempt = 0;

  constructor(Redis: RedisConstructor, settings: RedisTransportSettings, options: RedisTransportOptions) {
    super(settings.name);
    this.#settings = settings;
    this.#options = options;
    this.#keys = redisKeys(settings.streams.prefix);
    this.#topology = new RedisTopology(this.#keys, settings.streams.group, () => this.#commands());
    this.#logger = options.logger ?? getLogger('microservices.queues.redis');
    this.#openReader = () => createRedisClient(Redis, settings.endpoint, 'reader', options.reconnect);
    this.#control = createRedisClient(Redis, settings.endpoint, 'control', options.reconnect);
    this.#publisher = createRedisClient(Redis, settings.endpoint, 'publisher', options.reconnect);
    this.#routes = new RouteBatcher(this.#publisher, this.#keys);
    this.#watch();
  }

  get connected(): boolean {
    return !this.isClosing && this.#control.status === 'ready' && this.#publisher.status === 'ready';
  }

  /**
   * ioredis connects and reconnects by itself (`#watch` follows it); the closing signal also ends a connect
   * that waits in ioredis' retry loop, which emits no 'end' then.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    try {
      const until = this.until(signal);
      await Promise.all([connectClient(this.#control, until), connectClient(this.#publisher, until)]);
    } catch (error) {
      // Refused, aborted or given up: neither connection may go on retrying in the background.
      this.#control.disconnect();
      this.#publisher.disconnect();
      throw error;
    }
    if (!this.#everConnected) {
      this.#everConnected = true;
      this.emitEvent('connected');
    }
  }

  protected async shutDown(): Promise<void> {
    this.abortClosing();
    for (const promoter of this.#promoters) promoter.stop();
    await Promise.all([...this.consumers].map((consumer) => consumer.shutdown()));
    await Promise.all([...this.#inboxes].map((inbox) => inbox.close()));
    await this.settlePending();
    await Promise.all([this.#quit(this.#control), this.#quit(this.#publisher)]);
    this.emitEvent('disconnected');
  }

  protected topology(): RedisTopology {
    return this.#topology;
  }

  /** Settles on the reply of the routing script, i.e. once Redis has appended the entry to every target stream. */
  protected send(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions = {},
  ): Promise<void> {
    // Fail fast while disconnected (no offline queue): the caller decides whether to retry (RELIABILITY B4).
    if (this.#publisher.status !== 'ready') return Promise.reject(this.notConnectedError());
    let fields: (string | Buffer)[];
    let delayMs: number;
    try {
      fields = encodeEntry(target, message);
      delayMs = delayOf(target, options, this.name);
    } catch (error) {
      // A BigInt or circular header (MS_QUEUE_UNENCODABLE): reject, never throw synchronously from publish().
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#options.publishTimeoutMs ?? 10_000;
    const keys = this.#keys;
    const queue = target.routingKey;
    const routed: Promise<void> =
      delayMs > 0
        ? commandTimeout(
            unlessClosed(
              this.#publisher,
              runScript(
                this.#publisher,
                SCHEDULE,
                [keys.delayed(queue)],
                scheduleArguments(keys.queues, queue, delayMs, fields),
              ),
            ),
            timeoutMs,
            'a publish',
          ).then((count) => {
            const error = routingError(Number(count), target);
            if (error) throw error;
          })
        : this.#routes.route(target, fields, timeoutMs);
    return this.track(unlessAborted(routed, options.signal));
  }

  /** A reply stream read by a connection of its own (see `./reply.ts`). */
  async replies(onReply: Contract.ReplyHandler): Promise<Contract.ReplyInbox> {
    this.#assertOpen();
    const inbox = openRedisInbox(this.#openReader(), this.#control, this.#keys.prefix, onReply, this.#logger);
    this.#inboxes.add(inbox);
    return { address: inbox.address, close: () => inbox.close().finally(() => this.#inboxes.delete(inbox)) };
  }

  async reply(
    address: string,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions = {},
  ): Promise<void> {
    if (this.isClosing) throw this.closedError();
    const timeoutMs = options.timeoutMs ?? this.#options.publishTimeoutMs ?? 10_000;
    await commandTimeout(
      unlessClosed(this.#publisher, sendRedisReply(this.#publisher, address, message)),
      timeoutMs,
      'a reply',
    );
  }

  async consume(
    queue: string,
    handler: Contract.DeliveryHandler,
    options: Contract.ConsumeOptions,
  ): Promise<Contract.Subscription> {
    this.#assertOpen();
    await this.#topology.ensureGroup(this.#commands(), queue);
    const tag = options.consumerTag ?? `${this.#settings.streams.consumerPrefix}-${randomBytes(4).toString('hex')}`;
    const consumer = new RedisConsumer(
      this.#environment(),
      queue,
      this.#keys.stream(queue),
      handler,
      options.prefetch,
      tag,
    );
    this.consumers.add(consumer);
    consumer.start();
    // The consumers of a queue move its due delayed messages onto its stream (delayed.ts).
    const promoter = new DelayPromoter(
      this.#control,
      this.#keys.delayed(queue),
      this.#keys.stream(queue),
      this.#logger,
    );
    this.#promoters.add(promoter);
    promoter.start();
    return {
      consumerTag: consumer.consumerTag,
      cancel: async () => {
        promoter.stop();
        this.#promoters.delete(promoter);
        await consumer.cancel();
      },
    };
  }

  #environment(): ConsumerEnvironment {
    const transport = this;
    return {
      control: this.#control,
      openReader: this.#openReader,
      settings: this.#settings.streams,
      reconnect: this.#options.reconnect,
      logger: this.#logger,
      commandTimeoutMs: this.#options.publishTimeoutMs ?? 10_000,
      deadLetterStream: (queue) => this.#topology.deadLetterStream(this.#control, queue),
      ensureGroup: (queue) => this.#topology.ensureGroup(this.#control, queue),
      get closed() {
        return transport.isClosing;
      },
    };
  }

  #commands(): RedisClient {
    this.#assertOpen();
    return this.#control;
  }

  #assertOpen(): void {
    if (this.isClosing) throw this.closedError();
  }

  /** Maps the control connection's life to transport events, and restores topology after a comeback. */
  #watch(): void {
    const control = this.#control;
    let wasReady = false;
    control.on('ready', () => {
      Promise.all([loadScripts(control), loadBatchScripts(control)]).catch((error: Error) =>
        logWith(this.#logger, 'debug', { err: error }, 'redis: SCRIPT LOAD failed'),
      );
      if (wasReady || !this.#everConnected) {
        wasReady = true;
        return;
      }
      wasReady = true;
      this.#reconnectAttempt = 0;
      void this.#recover();
    });
    control.on('close', () => {
      if (!wasReady || this.isClosing) return;
      wasReady = false;
      this.emitEvent('disconnected');
    });
    control.on('reconnecting', (delayMs: number) => {
      if (this.isClosing) return;
      this.#reconnectAttempt += 1;
      this.emitEvent('reconnecting', this.#reconnectAttempt, delayMs);
    });
    const onError = (error: Error): void => {
      logWith(this.#logger, 'debug', { err: error }, `redis ${this.name}`);
      this.emitEvent('error', error);
    };
    control.on('error', onError);
    this.#publisher.on('error', (error: Error) => logWith(this.#logger, 'debug', { err: error }, 'redis publisher'));
  }

  async #recover(): Promise<void> {
    try {
      await this.#topology.restore(this.#control);
    } catch (error) {
      logWith(this.#logger, 'warn', { err: error }, `redis ${this.name}: could not restore topology`);
    }
    // ioredis reconnected the connections; each consumer reads again from where its group stands.
    await this.consumers.resubscribe(
      (consumer) => consumer.resync(),
      (consumer, error) => logWith(this.#logger, 'warn', { err: error }, `redis: resync of ${consumer.consumerTag}`),
    );
    if (!this.isClosing) this.emitEvent('connected');
  }

  async #quit(client: RedisClient): Promise<void> {
    if (client.status !== 'ready') {
      client.disconnect();
      return;
    }
    await commandTimeout(client.quit(), 2000, 'QUIT').catch(() => client.disconnect());
  }
}

/** Loads the batch scripts too, so the first batch after a (re)connect does not need the EVAL fallback. */
async function loadBatchScripts(control: RedisClient): Promise<void> {
  await Promise.all([ROUTE_MANY, SETTLE_MANY].map((lua) => control.call('SCRIPT', 'LOAD', lua.source)));
}

/**
 * Creates the Redis Streams transport for a `redis://` or `rediss://` URL (ioredis must be installed).
 * @example
 * const transport = await createRedisTransport(new URL('redis://localhost:6379/0?minIdleMs=30000'), {});
 * await transport.connect();
 */
export async function createRedisTransport(url: URL, options: RedisTransportOptions = {}): Promise<Contract.Transport> {
  const Redis = await loadRedisConstructor();
  return new RedisTransport(Redis, parseRedisUrl(url, options), options);
}
