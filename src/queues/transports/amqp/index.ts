/**
 * The `amqp://` transport on amqplib 2: RabbitMQ with every link of the at-least-once chain in place.
 * - Publishes go through a confirm channel, persistent and `mandatory`, and settle only on the broker's
 *   confirm (`amqp-publisher.ts`).
 * - Each consumer has its own channel and prefetch; acks are bound to that channel (`amqp-consumer.ts`,
 *   `amqp-delivery.ts`).
 * - A lost connection is re-established with exponential backoff and jitter; the topology is declared
 *   again, every consumer re-subscribed and checked live before `connected` is emitted
 *   (`amqp-connection.ts`, `amqp-topology.ts`).
 * - Heartbeats (10 s by default) detect half-open connections; `blocked`/`unblocked` surface resource alarms.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { ERRORS } from '../../../errors.js';
import { getLogger, type Logger } from '../../../logging.js';
import { closeUntilGone } from './close-until-gone.js';
import { AmqpConnection } from './connection.js';
import { AmqpConsumer } from './consumer.js';
import { AmqpPublisher } from './publisher.js';
import { AmqpReplies } from './reply.js';
import { amqpEndpoint } from './settings.js';
import { AmqpTopology, checkAmqpName } from './topology.js';
// Side effect: amqplib reads every header type and keeps the broker's reason for a refused connection.
import './wire.js';
import { logWith } from '../../../logging/fields.js';
import { closeStep } from '../core/close-step.js';
import { delayOf } from '../core/delayed-publish.js';
import { TransportBase } from '../core/transport-base.js';
import type * as Contract from '../transport.js';
import { AmqpDelays } from './delayed.js';

/**
 * AMQP-only settings on top of the options every transport takes.
 * @example new AmqpTransport(new URL('amqp://localhost'), { maxBufferedMessages: 1000, publishTimeoutMs: 5000 });
 */
export interface AmqpTransportOptions extends Contract.TransportOptions {
  /** The most messages waiting or unconfirmed at once; beyond it a publish rejects at once. Default 10 000. */
  readonly maxBufferedMessages?: number;
  /** The most body bytes waiting or unconfirmed at once. Default 64 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * The largest body the broker accepts; a larger publish rejects at once with `MS_QUEUE_MESSAGE_TOO_LARGE`.
   * Default 128 MiB, RabbitMQ's default `max_message_size` (the broker does not announce its setting). A
   * broker set lower still refuses the message, and that refusal is final too.
   */
  readonly maxMessageBytes?: number;
}

const CAPABILITIES: Contract.TransportCapabilities = {
  exchangeTypes: ['direct', 'fanout', 'topic'],
  durable: true,
  // Dead-lettering republishes a confirmed copy (so it can carry the error headers) instead of relying on a DLX.
  nativeDeadLetter: false,
  exchangeOptions: ['autoDelete', 'arguments'],
  // x-max-priority: RabbitMQ allows 1..255 (it recommends 10 or fewer levels).
  maxPriority: 255,
  // Per-delay TTL queues dead-lettering back (delayed.ts): durable, no plugin.
  delayedDelivery: 'broker',
};

/**
 * RabbitMQ through amqplib; create it with `createAmqpTransport` or `createTransport('amqp://…')`.
 * @example
 * const transport = new AmqpTransport(new URL('amqp://guest:guest@localhost:5672/'));
 * await transport.connect();
 * await transport.declareQueue('jobs');
 * await transport.publish({ exchange: '', routingKey: 'jobs' }, { body: Buffer.from('hi'), properties: {} });
 */
export class AmqpTransport extends TransportBase<AmqpConsumer> implements Contract.Transport {
  readonly capabilities = CAPABILITIES;
  readonly #logger: Logger;
  private readonly connection: AmqpConnection;
  private readonly publisher: AmqpPublisher;
  readonly #topology: AmqpTopology;
  readonly #delays = new AmqpDelays({
    model: () => this.#model(),
    assertQueue: (model, name, options) => this.#topology.assertRawQueue(model, name, options),
    checkQueue: (model, name) => this.#topology.queueExists(model, name),
    publish: (queue, message, options) => this.publisher.publish({ exchange: '', routingKey: queue }, message, options),
  });
  readonly #replies: AmqpReplies;
  #connectCalled = false;

  constructor(url: URL, options: AmqpTransportOptions = {}) {
    const endpoint = amqpEndpoint(url, options.heartbeatSeconds ?? 10);
    super(endpoint.name);
    this.#logger = options.logger ?? getLogger('microservices.queues.amqp');
    this.#topology = new AmqpTopology(this.#logger, () => this.#model());
    this.#replies = new AmqpReplies(this.#logger);
    this.publisher = new AmqpPublisher(
      {
        timeoutMs: options.publishTimeoutMs ?? 10_000,
        maxBufferedMessages: options.maxBufferedMessages ?? 10_000,
        maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
        maxMessageBytes: options.maxMessageBytes ?? 128 * 1024 * 1024,
      },
      this.#logger,
      () => this.#reopenPublisherChannel(),
    );
    const reconnect = options.reconnect ?? {};
    this.connection = new AmqpConnection(
      {
        endpoint: endpoint.connect,
        name: this.name,
        connectionName: endpoint.connectionName,
        logger: this.#logger,
        reconnect: {
          enabled: reconnect.enabled ?? true,
          initialDelayMs: reconnect.initialDelayMs ?? 1000,
          maxDelayMs: reconnect.maxDelayMs ?? 30_000,
          maxAttempts: reconnect.maxAttempts ?? Number.POSITIVE_INFINITY,
        },
      },
      {
        onOpen: (model) => this.#setUp(model),
        onLost: (error) => {
          this.publisher.detach();
          this.publisher.setBlocked(false);
          for (const consumer of this.consumers) consumer.detach();
          this.emitEvent('disconnected', error);
        },
        onConnected: () => this.emitEvent('connected'),
        onReconnecting: (attempt, delayMs) => this.emitEvent('reconnecting', attempt, delayMs),
        onBlocked: (reason) => {
          this.#logger.warn(`the broker blocked publishing: ${reason}`);
          this.publisher.setBlocked(true);
          this.emitEvent('blocked', reason);
        },
        onUnblocked: () => {
          this.#logger.info('the broker unblocked publishing');
          this.publisher.setBlocked(false);
          this.emitEvent('unblocked');
        },
        onGaveUp: (error) => {
          logWith(this.#logger, 'error', { err: error }, `${this.name}: connection error`);
          // Nothing reconnects any more: what waits for a connection fails now, with the cause.
          this.publisher.failPending(error);
          this.emitEvent('error', error);
        },
      },
    );
  }

  get connected(): boolean {
    return this.connection.isOpen;
  }

  connect(signal?: AbortSignal): Promise<void> {
    this.#connectCalled = true;
    return this.connection.open(signal);
  }

  protected topology(): AmqpTopology {
    return this.#topology;
  }

  protected send(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options?: Contract.PublishOptions,
  ): Promise<void> {
    // As on every transport (the conformance suite checks it): no publish before connect() was called.
    if (!this.#connectCalled) return Promise.reject(this.notConnectedError());
    // After a failed connect() a publish connects again: the message waits in the outbox (within its deadline).
    if (!this.connection.isOpen && !this.connection.isClosing && !this.isClosing) {
      this.connection
        .open()
        .catch((error: unknown) => logWith(this.#logger, 'debug', { err: error }, 'connect for publish'));
    }
    let delayMs: number;
    try {
      delayMs = delayOf(target, options, this.name);
    } catch (error) {
      return Promise.reject(error);
    }
    if (delayMs > 0) return this.#delays.publish(target.routingKey, message, delayMs, options ?? {});
    return this.publisher.publish(target, message, options);
  }

  /** Direct reply-to on the publisher channel (see `./reply.ts`). */
  async replies(onReply: Contract.ReplyHandler): Promise<Contract.ReplyInbox> {
    await this.#model();
    return this.#replies.open(onReply, this.publisher.channel);
  }

  reply(address: string, message: Contract.OutgoingMessage, options?: Contract.PublishOptions): Promise<void> {
    return this.publish({ exchange: '', routingKey: address }, message, options);
  }

  async consume(
    queue: string,
    handler: Contract.DeliveryHandler,
    options: Contract.ConsumeOptions,
  ): Promise<Contract.Subscription> {
    checkAmqpName('queue', queue, { declaring: false });
    const model = await this.#model();
    const consumer = new AmqpConsumer(queue, handler, options, {
      logger: this.#logger,
      closing: this.closingSignal,
      currentConnection: () => this.connection.current,
      deadLetterQueueOf: (name) => this.#topology.deadLetterQueueOf(name),
      publish: (target, message, signal) =>
        this.publisher.publish(target, message, signal === undefined ? undefined : { signal }),
      // Retry backoff waits in a delay bucket on the broker (durable) rather than in this process.
      publishDelayed: (target, message, delayMs, signal) =>
        this.#delays.publish(target, message, delayMs, signal === undefined ? {} : { signal }),
      remove: (removed) => this.consumers.delete(removed),
    });
    this.consumers.add(consumer);
    try {
      await consumer.attach(model);
    } catch (error) {
      this.consumers.delete(consumer);
      throw error;
    }
    return consumer;
  }

  /** The live connection, connecting first when needed (operations wait through a reconnect). */
  async #model(): Promise<ChannelModel> {
    if (this.isClosing) throw this.closedError();
    const current = this.connection.current;
    if (current) return current;
    await this.connection.open(this.closingSignal);
    const model = this.connection.current;
    if (!model) throw ERRORS.MS_QUEUE_NOT_CONNECTED(`${this.name} lost its connection; try again`);
    return model;
  }

  /** Runs on every new connection, before it counts as connected. */
  async #setUp(model: ChannelModel): Promise<void> {
    await this.#topology.redeclare(model);
    const channel = await this.#newPublisherChannel(model);
    await this.#replies.attach(channel);
    this.publisher.attach(channel);
    // amqplib 2 has no recovery of its own for channels and consumers; AmqpConnection reconnects (see there).
    await this.consumers.resubscribe(
      (consumer) => consumer.attach(model),
      (consumer, error) => {
        // One queue that cannot be consumed (deleted elsewhere) must not keep the whole connection down.
        logWith(this.#logger, 'warn', { err: error }, `consuming "${consumer.queue}" after reconnecting failed`);
        consumer.attachLater();
      },
    );
    await this.#checkConsumersLive(model);
  }

  /** The "alive but stuck" guard: after a reconnect every consumed queue must show a consumer again. */
  async #checkConsumersLive(model: ChannelModel): Promise<void> {
    for (const consumer of this.consumers) {
      if (consumer.isCancelled || !consumer.isAttached) continue;
      const count = await this.#topology.consumerCount(model, consumer.queue).catch(() => 0);
      if (count < 1) {
        this.#logger.warn(`no consumer on "${consumer.queue}" after reconnecting; subscribing again`);
        await consumer.restart(model).catch(() => consumer.attachLater());
      }
    }
  }

  /** The publisher channel closed while the connection lives on (a channel error): open another. */
  #reopenPublisherChannel(): void {
    // Channels close just before their connection does; look again once that has been noticed.
    setImmediate(() => this.#openPublisherChannel());
  }

  async #newPublisherChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => logWith(this.#logger, 'warn', { err: error }, 'publisher channel'));
    return channel;
  }

  #openPublisherChannel(): void {
    const model = this.connection.current;
    if (!model || this.isClosing || this.publisher.hasChannel) return;
    this.#newPublisherChannel(model)
      .then(async (channel) => {
        if (this.connection.current === model) {
          await this.#replies.attach(channel).catch((error: unknown) => {
            void closeUntilGone(channel);
            throw error;
          });
        }
        if (this.connection.current === model) this.publisher.attach(channel);
        else void closeUntilGone(channel);
      })
      .catch((error: unknown) => {
        this.#logger.warn(`reopening the publisher channel: ${(error as Error).message}; trying again`);
        // Held messages would otherwise wait for their deadline; a lost connection retries on its own.
        if (this.connection.current === model) setTimeout(() => this.#openPublisherChannel(), 500).unref();
      });
  }

  protected async shutDown(): Promise<void> {
    const consumers = [...this.consumers];
    // Each wait for the broker is bounded (close-step.ts): a half-open connection answers none of them.
    // cancel() returns at once for a consumer already cancelled.
    const cancelling = Promise.all(consumers.map((consumer) => consumer.cancel()));
    const answering = await closeStep(cancelling, 'the consumer cancels', this.#logger);
    if (answering && this.connection.isOpen) {
      // Let what was accepted settle (each publish has its own deadline), then stop.
      await this.publisher.whenIdle();
      await closeStep(
        Promise.all(consumers.map((consumer) => consumer.shutDown())),
        'the consumer channel closes',
        this.#logger,
      );
    }
    this.abortClosing();
    this.publisher.close();
    await this.connection.close(answering);
  }
}

/**
 * The factory behind `amqp://` and `amqps://` URLs (see `./index.ts`).
 * @example const transport = createAmqpTransport(new URL('amqp://localhost'), { heartbeatSeconds: 5 });
 */
export function createAmqpTransport(url: URL, options: Contract.TransportOptions): Contract.Transport {
  return new AmqpTransport(url, options);
}
