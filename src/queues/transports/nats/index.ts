/**
 * The `nats://` transport on NATS JetStream (core NATS keeps nothing, so it is never used for queues).
 * Streams and consumers are laid out in `topology.ts`, pulls in `consumer.ts` and `pull-inbox.ts`, deliveries in
 * `delivery.ts`. Publishes wait for the stream's PubAck and carry `Nats-Msg-Id` for deduplication.
 * Only features of nats-server 2.9 are used (no per-message TTL, one filter subject per consumer).
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { CODES, ERRORS, type MicroservicesError } from '../../../errors.js';
import { backoffDelay, sleep } from '../../../internal/backoff.js';
import { unlessAborted } from '../../../internal/race.js';
import { logWith } from '../../../logging/fields.js';
import { getLogger, type Logger } from '../../../logging.js';
import { DURABLE_EMULATED_DEAD_LETTER } from '../core/capabilities.js';
import { closeStep } from '../core/close-step.js';
import { delayOf } from '../core/delayed-publish.js';
import { connectFailure, publishFailure } from '../core/failures.js';
import { TransportBase } from '../core/transport-base.js';
import type * as Contract from '../transport.js';
import { listenForMaxDeliveries } from './advisories.js';
import { decodeNatsHeaders, encodeNatsHeaders, isExpired } from './codec.js';
import { PrefetchWindow, PullLoop } from './consumer.js';
import { HeldDeliveries, heldBackMs, markDelayed } from './delayed.js';
import { type NatsDeliveryHooks, natsDelivery } from './delivery.js';
import { natsFailure } from './errors.js';
import { exchangeSubject, queueSubject } from './names.js';
import { loadNatsModules, type NatsModules } from './peer.js';
import type { NatsMessage } from './pulled-message.js';
import { openNatsInbox, sendNatsReply } from './reply.js';
import { type NatsSettings, natsSettings } from './settings.js';
import { type NatsSource, NatsTopology } from './topology.js';

/** Used when a consumer asks for prefetch 0 ("unlimited" in AMQP): JetStream pulls are always bounded. */
const DEFAULT_PREFETCH = 100;

/** What every delivery of one subscription shares, built once when it starts. */
interface ConsumeContext {
  readonly queue: string;
  readonly consumerTag: string;
  readonly handler: Contract.DeliveryHandler;
  readonly hooks: NatsDeliveryHooks;
  readonly window: PrefetchWindow;
  /** The route of a message taken from the queue's own stream (exchange sources route by subject). */
  readonly queueRoute: { readonly exchange: string; readonly routingKey: string };
}

/** A subscription with the pull loops that feed it (asked to pull again after a reconnect). */
interface NatsSubscription extends Contract.Subscription {
  readonly loops: readonly PullLoop[];
}

export class NatsTransport extends TransportBase<NatsSubscription> implements Contract.Transport {
  // Delayed messages are stored at once and held back on their first delivery (delayed.ts).
  readonly capabilities: Contract.TransportCapabilities = {
    ...DURABLE_EMULATED_DEAD_LETTER,
    delayedDelivery: 'broker',
  };
  readonly #settings: NatsSettings;
  readonly #modules: NatsModules;
  readonly #logger: Logger;
  readonly #topology: NatsTopology;
  readonly #held = new HeldDeliveries();
  /** Handed out and not yet settled; given back to the server on close so they are redelivered at once. */
  readonly #unsettled = new Set<NatsMessage>();
  #connection: NatsConnection | undefined;
  #manager: JetStreamManager | undefined;
  #client: JetStreamClient | undefined;
  #connected = false;
  #connecting: Promise<void> | undefined;

  constructor(settings: NatsSettings, modules: NatsModules, logger: Logger) {
    super(settings.name);
    this.#settings = settings;
    this.#modules = modules;
    this.#logger = logger;
    this.#topology = new NatsTopology(() => this.#jsm(), settings, modules.jetstream);
  }

  get connected(): boolean {
    return this.#connected;
  }

  protected topology(): NatsTopology {
    return this.#topology;
  }

  #jsm(): JetStreamManager {
    if (!this.#manager) throw this.notConnectedError();
    return this.#manager;
  }

  #js(): JetStreamClient {
    if (!this.#client) throw this.notConnectedError();
    return this.#client;
  }

  #emitError(error: Error): void {
    logWith(this.#logger, 'error', { err: error }, `${this.name}: connection error`);
    this.emitEvent('error', error);
  }

  /**
   * Once connected, nats.js reconnects by itself (followed in `#watch`). The first connect is retried here
   * instead of with its `waitOnFirstConnect`, so that it can be aborted and a refused login fails at once with
   * MS_QUEUE_ACCESS_REFUSED (test/faults/nats-auth.fault.test.ts).
   */
  connect(signal?: AbortSignal): Promise<void> {
    if (this.#connected) return Promise.resolve();
    if (this.isClosing) return Promise.reject(this.closedError());
    // Two callers at once share one attempt instead of opening two connections.
    this.#connecting ??= this.#connectWithRetries(this.until(signal)).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connectWithRetries(signal: AbortSignal | undefined): Promise<void> {
    const { reconnect } = this.#settings;
    for (let attempt = 1; ; attempt += 1) {
      if (signal?.aborted) throw signal.reason;
      try {
        await this.#open();
        return;
      } catch (error) {
        // Bad credentials do not get better by retrying (issue 10 item 1): fail at once, with the reason.
        const final = natsFailure(error) === 'refused-login';
        if (final || !reconnect.enabled || attempt >= reconnect.maxAttempts || signal?.aborted || this.isClosing) {
          throw connectFailure(this.name, error, natsFailure);
        }
        const delay = backoffDelay(attempt, reconnect);
        this.#logger.warn(`Connection error, cause: ${error}. Reconnecting to ${this.name} in ${delay} ms...`);
        this.emitEvent('reconnecting', attempt, delay);
        await sleep(delay, signal);
      }
    }
  }

  async #open(): Promise<void> {
    const { core, jetstream } = this.#modules;
    const { reconnect, servers, heartbeatSeconds } = this.#settings;
    const connection = await core.connect({
      servers,
      name: 'microservices-ts',
      ...(this.#settings.user ? { user: this.#settings.user, pass: this.#settings.pass ?? '' } : {}),
      ...(this.#settings.token ? { token: this.#settings.token } : {}),
      timeout: 5000,
      reconnect: reconnect.enabled,
      maxReconnectAttempts: Number.isFinite(reconnect.maxAttempts) ? reconnect.maxAttempts : -1,
      reconnectTimeWait: reconnect.initialDelayMs,
      pingInterval: heartbeatSeconds * 1000,
      maxPingOut: 3,
    });
    try {
      // Fails when the server runs without JetStream: core NATS alone would lose messages.
      this.#manager = await jetstream.jetstreamManager(connection);
      this.#client = jetstream.jetstream(connection);
      this.#connection = connection;
      await this.#topology.replay();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    this.#connected = true;
    void this.#watch(connection);
    this.emitEvent('connected');
  }

  /** Follows the client's own reconnects, re-declaring the topology each time the link comes back. */
  async #watch(connection: NatsConnection): Promise<void> {
    let attempt = 0;
    void connection.closed().then((error) => {
      if (this.isClosing) return;
      this.#connected = false;
      this.emitEvent('disconnected', error instanceof Error ? error : undefined);
    });
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.#connected = false;
        this.emitEvent('disconnected');
      } else if (status.type === 'reconnecting') {
        attempt += 1;
        this.emitEvent('reconnecting', attempt, this.#settings.reconnect.initialDelayMs);
      } else if (status.type === 'reconnect') {
        attempt = 0;
        try {
          await this.#topology.replay();
        } catch (error) {
          this.#emitError(error as Error);
        }
        // The server forgot the pulls that were open before the restart; ask again now, not at expiry.
        await this.consumers.resubscribe(
          (subscription) => {
            for (const loop of subscription.loops) loop.interrupt();
          },
          (_subscription, error) => this.#emitError(error as Error),
        );
        this.#connected = true;
        this.emitEvent('connected');
      } else if (status.type === 'error') {
        this.#emitError(status.error);
      }
    }
  }

  #liveConnection(): NatsConnection {
    const connection = this.#connection;
    if (!connection || connection.isClosed()) throw this.notConnectedError();
    return connection;
  }

  /** Resolves once the connection is (back) up, or at once when closing so loops can end. */
  #whenConnected(): Promise<void> {
    if (this.#connected || this.isClosing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearInterval(poll);
        this.off('connected', done);
        resolve();
      };
      // Polled as well, so that close() (which emits nothing) also releases the waiters.
      const poll = setInterval(() => {
        if (this.#connected || this.isClosing) done();
      }, 250);
      this.on('connected', done);
    });
  }

  protected async shutDown(): Promise<void> {
    this.abortClosing();
    // Each wait for the server is bounded (close-step.ts): a half-open connection answers none of them.
    await closeStep(
      this.consumers.stopAll((subscription) => subscription.cancel()),
      'the consumer stops',
      this.#logger,
    );
    await this.settlePending();
    const connection = this.#connection;
    this.#connected = false;
    for (const message of this.#unsettled) {
      try {
        message.nak();
      } catch {
        // The connection is already gone: the server redelivers after AckWait instead.
      }
    }
    this.#unsettled.clear();
    if (connection && !connection.isClosed()) {
      await closeStep(connection.flush(), 'the flush', this.#logger);
      await closeStep(connection.close(), 'the close', this.#logger);
    }
  }

  /** A core NATS inbox (see `./reply.ts`). */
  async replies(onReply: Contract.ReplyHandler): Promise<Contract.ReplyInbox> {
    await this.connect();
    const connection = this.#connection as NatsConnection;
    return openNatsInbox(connection, this.#modules.core.createInbox(), onReply, this.#logger);
  }

  async reply(address: string, message: Contract.OutgoingMessage): Promise<void> {
    if (this.isClosing) throw this.closedError();
    const connection = this.#connection;
    if (!connection || connection.isClosed()) throw this.notConnectedError();
    sendNatsReply(connection, address, message, this.#modules.core.headers);
  }

  protected send(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions = {},
  ): Promise<void> {
    return this.track(this.#publish(target, message, options));
  }

  async #publish(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions,
  ): Promise<void> {
    const subject =
      target.exchange === '' ? queueSubject(target.routingKey) : exchangeSubject(target.exchange, target.routingKey);
    const timeoutMs = options.timeoutMs ?? this.#settings.publishTimeoutMs;
    if (target.exchange !== '' && !(await this.#topology.routable(target.exchange, subject))) {
      if (!(await this.#topology.exchangeType(target.exchange))) {
        throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`No exchange "${target.exchange}" on ${this.name}`);
      }
      throw ERRORS.MS_QUEUE_UNROUTABLE(
        `Unroutable: no queue is bound for "${target.routingKey}" on exchange "${target.exchange}"`,
      );
    }
    const headers = encodeNatsHeaders(message.properties, this.#modules.core.headers, Date.now());
    const delayMs = delayOf(target, options, this.name);
    if (delayMs > 0) markDelayed(headers, delayMs);
    try {
      await unlessAborted(this.#js().publish(subject, message.body, { headers, timeout: timeoutMs }), options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw publishFailure(error, natsFailure, { to: subject, timeoutMs });
    }
  }

  async consume(
    queue: string,
    handler: Contract.DeliveryHandler,
    options: Contract.ConsumeOptions,
  ): Promise<Contract.Subscription> {
    const consumerTag = this.consumerTagFor(options, 'nats-consumer');
    const sources = await this.#topology.sources(queue);
    try {
      await this.#jsm().consumers.info(sources[0]?.stream ?? '', sources[0]?.consumer ?? '');
    } catch (error) {
      throw ERRORS.MS_QUEUE_NOT_FOUND(`Queue "${queue}" is not declared on ${this.name}`, {
        cause: error,
      });
    }
    const window = new PrefetchWindow(options.prefetch > 0 ? options.prefetch : DEFAULT_PREFETCH);
    // One hooks object per subscription, so a delivery costs no closures of its own.
    const hooks: NatsDeliveryHooks = {
      logger: this.#logger,
      maxDeliver: this.#settings.maxDeliver,
      ackTimeoutMs: this.#settings.publishTimeoutMs,
      doubleAck: this.#settings.doubleAck,
      connectionOpen: () => !this.isClosing && this.#connection?.isClosed() === false,
      deadLetter: (body, properties) => this.#deadLetter(queue, body, properties),
      settled: (message) => {
        this.#unsettled.delete(message);
        window.settled();
      },
    };
    const context: ConsumeContext = {
      queue,
      consumerTag,
      handler,
      hooks,
      window,
      queueRoute: { exchange: '', routingKey: queue },
    };
    const dispatch = (message: NatsMessage, source: NatsSource): void => this.#dispatch(context, message, source);
    const loops = sources.map(
      (source) =>
        new PullLoop({
          connection: () => this.#liveConnection(),
          createInbox: () => this.#modules.core.createInbox(),
          source,
          window,
          logger: this.#logger,
          dispatch,
          reconnectDelay: this.#settings.reconnect,
          sourceCount: sources.length,
          whenConnected: () => this.#whenConnected(),
        }),
    );
    const advisories = listenForMaxDeliveries(sources, {
      connection: this.#connection as NatsConnection,
      manager: () => this.#jsm(),
      logger: this.#logger,
      deadLetter: async (body, stored, extraHeaders, fallbackId) => {
        const properties = decodeNatsHeaders(stored);
        const copy = {
          ...properties,
          messageId: properties.messageId ?? fallbackId,
          headers: { ...properties.headers, ...extraHeaders },
        };
        return (await this.#topology.deadLetterQueue(queue)) ? this.#deadLetter(queue, body, copy) : false;
      },
    });
    const subscription: NatsSubscription = {
      consumerTag,
      loops,
      cancel: async () => {
        this.consumers.delete(subscription);
        for (const advisory of advisories) advisory.unsubscribe();
        await Promise.all(loops.map((loop) => loop.stop()));
      },
    };
    return this.consumers.add(subscription);
  }

  #dispatch(context: ConsumeContext, message: NatsMessage, source: NatsSource): void {
    const { queue, consumerTag, handler, hooks, window, queueRoute } = context;
    const now = Date.now();
    const holdMs = heldBackMs(message, now);
    if (holdMs > 0) {
      // A delayed message not yet due (delayed.ts): back to the server until it is, never to the handler.
      this.#held.add(message);
      try {
        message.nak(holdMs);
      } catch (error) {
        logWith(this.#logger, 'debug', { err: error }, `holding back stream sequence ${message.seq}`);
      }
      window.settled();
      return;
    }
    const delivery = natsDelivery(
      message,
      consumerTag,
      source.exchange === ''
        ? queueRoute
        : { exchange: source.exchange, routingKey: message.subject.split('.').slice(2).join('.') },
      hooks,
      this.#held.take(message),
    );
    this.#unsettled.add(message);
    if (isExpired(delivery.properties, message.headers, now)) {
      void delivery.ack();
      return;
    }
    try {
      handler(delivery);
    } catch (error) {
      logWith(
        this.#logger,
        'error',
        { err: error },
        `handler for "${queue}" threw synchronously; the message will be redelivered`,
      );
    }
  }

  async #deadLetter(queue: string, body: Buffer, properties: Contract.MessageProperties): Promise<boolean> {
    const target = await this.#topology.deadLetterQueue(queue);
    if (!target) return true;
    const copy = { body, properties };
    try {
      await this.publish({ exchange: '', routingKey: target }, copy);
    } catch (error) {
      if ((error as MicroservicesError).code !== CODES.MS_QUEUE_UNROUTABLE) throw error;
      // The dead-letter queue was never declared: create it rather than lose the message.
      await this.#topology.declareQueue(target);
      await this.publish({ exchange: '', routingKey: target }, copy);
    }
    return true;
  }
}

/**
 * Creates the `nats://` transport. Needs `@nats-io/transport-node` and `@nats-io/jetstream` installed.
 * Query parameters tune JetStream: `ackWaitMs`, `maxDeliver`, `duplicateWindowMs`.
 * @example
 * const transport = await createNatsTransport(new URL('nats://127.0.0.1:4222/?maxDeliver=5'), {});
 * await transport.connect();
 */
export async function createNatsTransport(url: URL, options: Contract.TransportOptions): Promise<Contract.Transport> {
  const settings = natsSettings(url, options);
  const modules = await loadNatsModules();
  return new NatsTransport(settings, modules, options.logger ?? getLogger('microservices.queues.nats'));
}
