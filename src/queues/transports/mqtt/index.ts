/**
 * The `mqtt://` transport on MQTT 5 (tested on Mosquitto 2.0): QoS 1 both ways, persistent sessions
 * (`cleanStart: false` with a session expiry) that hold a queue's messages while no consumer is connected,
 * shared subscriptions `$share/<queue>/...` so several sessions can compete for one queue, and emulated
 * nack, delivery counts and dead-lettering (see `mqtt-delivery.ts`). Its limits are in docs/transports/mqtt.md.
 */

import { randomBytes } from 'node:crypto';
import { ERRORS } from '../../../errors.js';
import { unlessAborted, withTimeout } from '../../../internal/race.js';
import { logWith } from '../../../logging/fields.js';
import { getLogger, type Logger } from '../../../logging.js';
import { DURABLE_EMULATED_DEAD_LETTER } from '../core/capabilities.js';
import { delayOf, InProcessDelays, withoutDelay } from '../core/delayed-publish.js';
import { TransportEventEmitter } from '../core/events.js';
import type {
  ConsumeOptions,
  DeliveryHandler,
  ExchangeOptions,
  MessageProperties,
  OutgoingMessage,
  PublishOptions,
  PublishTarget,
  QueueOptions,
  ReplyHandler,
  ReplyInbox,
  Subscription,
  Transport,
  TransportCapabilities,
  TransportOptions,
} from '../transport.js';
import { encodeMqttProperties, type MqttEnvelope } from './codec.js';
import { MqttQueueConsumer } from './consumer.js';
import { MqttControl, NoSubscribersError } from './control.js';
import { GapDetector, type GapReport } from './gaps.js';
import { exchangeTopic, queueTopic } from './names.js';
import { loadMqttModule, type MqttModule } from './peer.js';
import { openMqttInbox, sendMqttReply } from './reply.js';
import { type MqttSettings, mqttSettings } from './settings.js';
import { MqttTopology } from './topology.js';

/** MQTT has no "unlimited": prefetch 0 becomes this receive maximum. */
const DEFAULT_PREFETCH = 100;

/**
 * CONNACK reason codes that refuse the client itself (MQTT 3.1.1: 2 identifier rejected, 4 bad user name or
 * password, 5 not authorized; MQTT 5: 0x85 client identifier not valid, 0x86 bad user name or password,
 * 0x87 not authorized, 0x8A banned, 0x8C bad authentication method).
 */
const CONNACK_REFUSALS = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8a, 0x8c]);

function isConnackRefusal(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && CONNACK_REFUSALS.has(code);
}

export class MqttTransport extends TransportEventEmitter implements Transport {
  readonly name: string;
  // MQTT has no way to hold a message back: delayed publishes wait in this process (lost if it exits).
  readonly capabilities: TransportCapabilities = { ...DURABLE_EMULATED_DEAD_LETTER, delayedDelivery: 'in-process' };
  readonly #settings: MqttSettings;
  readonly #mqtt: MqttModule;
  readonly #logger: Logger;
  readonly #publisherId = randomBytes(6).toString('hex');
  readonly #sequences = new Map<string, number>();
  readonly #consumers = new Map<string, MqttQueueConsumer>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #pending = new Set<Promise<unknown>>();
  #delaysMade: InProcessDelays | undefined;
  readonly #gaps = new GapDetector();
  #control: MqttControl | undefined;
  #topology: MqttTopology | undefined;
  #closing = false;
  /** Aborted by close(): ends a first connect still waiting for an unreachable broker. */
  readonly #closed = new AbortController();
  #tagCounter = 0;

  constructor(settings: MqttSettings, mqtt: MqttModule, logger: Logger) {
    super();
    this.name = settings.name;
    this.#settings = settings;
    this.#mqtt = mqtt;
    this.#logger = logger;
  }

  get connected(): boolean {
    return !this.#closing && (this.#control?.client.connected ?? false);
  }

  override toString(): string {
    return `MqttTransport(${this.name})`;
  }

  /** Messages the broker dropped, found from gaps in publishers' sequence numbers (see `mqtt-gaps.ts`). */
  gapReport(): GapReport[] {
    return this.#gaps.report();
  }

  #ready(): { control: MqttControl; topology: MqttTopology } {
    if (this.#closing) throw ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`);
    if (!this.#control || !this.#topology) {
      throw ERRORS.MS_QUEUE_NOT_CONNECTED(`${this.name} is not connected`);
    }
    return { control: this.#control, topology: this.#topology };
  }

  #emitError(error: Error): void {
    logWith(this.#logger, 'error', { err: error }, `${this.name}: connection error`);
    this.emitEvent('error', error);
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this.connected) return;
    if (this.#closing) throw ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`);
    if (!this.#control) {
      const control = new MqttControl(this.#mqtt, this.#settings, this.#logger);
      this.#control = control;
      this.#topology = new MqttTopology(
        control,
        this.#mqtt,
        this.#settings,
        this.#logger,
        (queue) => this.#consumers.get(queue)?.session,
      );
      this.#follow(control);
    }
    const until = signal ? AbortSignal.any([signal, this.#closed.signal]) : this.#closed.signal;
    await this.#firstConnect(this.#control, until);
  }

  /** Reports the control connection's state changes; MQTT.js reconnects it by itself. */
  #follow(control: MqttControl): void {
    let attempt = 0;
    let up = false;
    control.client.on('connect', () => {
      attempt = 0;
      up = true;
      this.emitEvent('connected');
    });
    control.client.on('close', () => {
      if (!up || this.#closing) return;
      up = false;
      this.emitEvent('disconnected');
    });
    control.client.on('reconnect', () => {
      attempt += 1;
      this.emitEvent('reconnecting', attempt, this.#settings.reconnect.initialDelayMs);
      if (attempt >= this.#settings.reconnect.maxAttempts) {
        void control.end();
        this.#emitError(ERRORS.MS_QUEUE_CONNECT_FAILED(`Gave up reconnecting to ${this.name}`));
      }
    });
  }

  #firstConnect(control: MqttControl, signal: AbortSignal | undefined): Promise<void> {
    if (control.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        control.client.off('connect', onConnect);
        control.client.off('error', onError);
        control.client.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (cause: unknown, refused = false): void => {
        cleanup();
        void control.end();
        this.#control = undefined;
        this.#topology = undefined;
        reject(
          refused
            ? ERRORS.MS_QUEUE_ACCESS_REFUSED(`${this.name} refused the login: ${cause}`, {
                cause,
              })
            : ERRORS.MS_QUEUE_CONNECT_FAILED(`Cannot connect to ${this.name}: ${cause}`, {
                cause,
              }),
        );
      };
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: Error): void => {
        // A CONNACK refusal (bad user name or password, not authorized) is final: retrying cannot fix it.
        if (isConnackRefusal(error)) fail(error, true);
        else if (!this.#settings.reconnect.enabled) fail(error);
      };
      const onClose = (): void => {
        if (!this.#settings.reconnect.enabled || control.client.disconnected) fail('connection closed');
      };
      const onAbort = (): void => fail(signal?.reason);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      control.client.on('connect', onConnect);
      control.client.on('error', onError);
      control.client.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get #delays(): InProcessDelays {
    this.#delaysMade ??= new InProcessDelays(this.#logger, this.name);
    return this.#delaysMade;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#closed.abort(ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`));
    this.#delays.close();
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.cancel()));
    await Promise.allSettled([...this.#consumers.values()].map((consumer) => consumer.close()));
    await Promise.allSettled([...this.#pending]);
    await this.#control?.end();
  }

  declareQueue(name: string, options?: QueueOptions): Promise<void> {
    return this.#ready().topology.declareQueue(name, options);
  }

  declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    return this.#ready().topology.declareExchange(name, options);
  }

  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    return this.#ready().topology.bindQueue(queue, exchange, routingKey);
  }

  deleteQueue(name: string): Promise<void> {
    return this.#ready().topology.deleteQueue(name);
  }

  deleteExchange(name: string): Promise<void> {
    return this.#ready().topology.deleteExchange(name);
  }

  purgeQueue(name: string): Promise<number> {
    return this.#ready().topology.purgeQueue(name);
  }

  async hasExchange(name: string): Promise<boolean> {
    if (name === '') return true;
    return (await this.#ready().topology.exchangeType(name)) !== undefined;
  }

  publish(target: PublishTarget, message: OutgoingMessage, options: PublishOptions = {}): Promise<void> {
    let pending: Promise<void>;
    try {
      this.#ready();
      const delayMs = delayOf(target, options, this.name);
      if (delayMs > 0) {
        this.#delays.schedule(delayMs, () => this.publish(target, message, withoutDelay(options)));
        return Promise.resolve();
      }
      pending = this.#publish(target, message, options);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#pending.add(pending);
    void pending.catch(() => undefined).finally(() => this.#pending.delete(pending));
    return pending;
  }

  async #publish(target: PublishTarget, message: OutgoingMessage, options: PublishOptions): Promise<void> {
    const { topology } = this.#ready();
    if (target.exchange !== '' && !(await topology.exchangeExists(target.exchange))) {
      throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`No exchange "${target.exchange}" on ${this.name}`);
    }
    const topic =
      target.exchange === '' ? queueTopic(target.routingKey) : exchangeTopic(target.exchange, target.routingKey);
    const sequence = (this.#sequences.get(topic) ?? 0) + 1;
    this.#sequences.set(topic, sequence);
    await this.#send(topic, message.body, message.properties, { publisher: this.#publisherId, sequence }, options);
  }

  async #send(
    topic: string,
    body: Buffer,
    properties: MessageProperties,
    envelope: MqttEnvelope,
    options: PublishOptions = {},
  ): Promise<void> {
    const { control } = this.#ready();
    const timeoutMs = options.timeoutMs ?? this.#settings.publishTimeoutMs;
    const publishProperties = encodeMqttProperties(properties, envelope);
    try {
      const acked = control.publish(topic, body, { properties: publishProperties }, true, {
        ms: timeoutMs,
        error: () =>
          ERRORS.MS_QUEUE_PUBLISH_TIMEOUT(
            `No PUBACK for "${topic}" within ${timeoutMs} ms; the message may have been delivered`,
          ),
      });
      await unlessAborted(acked, options.signal);
    } catch (error) {
      if (error instanceof NoSubscribersError) {
        throw ERRORS.MS_QUEUE_UNROUTABLE(`Unroutable: no queue takes topic "${topic}"`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** An MQTT 5 response topic on the control connection (see `./reply.ts`). */
  replies(onReply: ReplyHandler): Promise<ReplyInbox> {
    try {
      return openMqttInbox(this.#ready().control, onReply);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  reply(address: string, message: OutgoingMessage, options: PublishOptions = {}): Promise<void> {
    let control: MqttControl;
    try {
      control = this.#ready().control;
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#settings.publishTimeoutMs;
    return withTimeout(sendMqttReply(control, address, message), timeoutMs, () =>
      ERRORS.MS_QUEUE_PUBLISH_TIMEOUT(`No PUBACK for the reply to "${address}" within ${timeoutMs} ms`),
    );
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const { topology } = this.#ready();
    const consumerTag = options.consumerTag ?? `mqtt-consumer-${++this.#tagCounter}`;
    let consumer = this.#consumers.get(queue);
    if (!consumer) {
      const created = new MqttQueueConsumer({
        mqtt: this.#mqtt,
        settings: this.#settings,
        queue,
        clientId: topology.clientId(queue),
        prefetch: options.prefetch > 0 ? options.prefetch : DEFAULT_PREFETCH,
        logger: this.#logger,
        gaps: this.#gaps,
        republish: (to, body, properties, envelope) => this.#send(queueTopic(to), body, properties, envelope),
        deadLetterQueue: () => topology.deadLetterQueue(queue),
        closing: this.#closed.signal,
        onGap: (gap) =>
          this.#logger.warn(
            `${this.name}: messages ${gap.from}..${gap.to} from publisher ${gap.publisher} on ${gap.topic} never arrived ` +
              '(broker queue overflow or a crash before its autosave)',
          ),
        onFatal: (error) => this.#emitError(error),
        onIdle: () => {
          if (this.#consumers.get(queue) === created) this.#consumers.delete(queue);
        },
      });
      consumer = created;
      this.#consumers.set(queue, created);
    }
    consumer.add(consumerTag, handler);
    await consumer.session.ready();
    // Makes sure the session's subscriptions match again, even if the broker restored them broken.
    await consumer.session.subscribe(await topology.queueFilters(queue), true);
    const owner = consumer;
    const subscription: Subscription = {
      consumerTag,
      cancel: async () => {
        this.#subscriptions.delete(subscription);
        await owner.remove(consumerTag);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }
}

/**
 * Creates the `mqtt://` transport. Needs the `mqtt` package installed.
 * Query parameters: `sessionExpiry` (seconds, default 86400), `member` (join a queue as an extra session).
 * @example
 * const transport = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/'), {});
 * await transport.connect();
 */
export async function createMqttTransport(url: URL, options: TransportOptions): Promise<Transport> {
  const settings = mqttSettings(url, options);
  const mqtt = await loadMqttModule();
  return new MqttTransport(settings, mqtt, options.logger ?? getLogger('microservices.queues.mqtt'));
}
