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
import { connectFailure, failureError, publishFailure } from '../core/failures.js';
import { TransportBase } from '../core/transport-base.js';
import type * as Contract from '../transport.js';
import { encodeMqttProperties, type MqttEnvelope } from './codec.js';
import { MqttQueueConsumer } from './consumer.js';
import { MqttControl } from './control.js';
import { mqttFailure } from './errors.js';
import { GapDetector, type GapReport } from './gaps.js';
import { exchangeTopic, queueTopic } from './names.js';
import { loadMqttModule, type MqttModule } from './peer.js';
import { openMqttInbox, sendMqttReply } from './reply.js';
import { type MqttSettings, mqttSettings } from './settings.js';
import { MqttTopology } from './topology.js';

/** MQTT has no "unlimited": prefetch 0 becomes this receive maximum. */
const DEFAULT_PREFETCH = 100;

export class MqttTransport extends TransportBase<Contract.Subscription> implements Contract.Transport {
  // MQTT has no way to hold a message back: delayed publishes wait in this process (lost if it exits).
  readonly capabilities: Contract.TransportCapabilities = {
    ...DURABLE_EMULATED_DEAD_LETTER,
    delayedDelivery: 'in-process',
  };
  readonly #settings: MqttSettings;
  readonly #mqtt: MqttModule;
  readonly #logger: Logger;
  readonly #publisherId = randomBytes(6).toString('hex');
  readonly #sequences = new Map<string, number>();
  /** One consumer (one persistent session) per queue, shared by that queue's subscriptions. */
  readonly #sessions = new Map<string, MqttQueueConsumer>();
  #delaysMade: InProcessDelays | undefined;
  readonly #gaps = new GapDetector();
  #control: MqttControl | undefined;
  #topology: MqttTopology | undefined;

  constructor(settings: MqttSettings, mqtt: MqttModule, logger: Logger) {
    super(settings.name);
    this.#settings = settings;
    this.#mqtt = mqtt;
    this.#logger = logger;
  }

  get connected(): boolean {
    return !this.isClosing && (this.#control?.client.connected ?? false);
  }

  /** Messages the broker dropped, found from gaps in publishers' sequence numbers (see `mqtt-gaps.ts`). */
  gapReport(): GapReport[] {
    return this.#gaps.report();
  }

  #ready(): { control: MqttControl; topology: MqttTopology } {
    if (this.isClosing) throw this.closedError();
    if (!this.#control || !this.#topology) throw this.notConnectedError();
    return { control: this.#control, topology: this.#topology };
  }

  protected topology(): MqttTopology {
    return this.#ready().topology;
  }

  #emitError(error: Error): void {
    logWith(this.#logger, 'error', { err: error }, `${this.name}: connection error`);
    this.emitEvent('error', error);
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this.connected) return;
    if (this.isClosing) throw this.closedError();
    if (!this.#control) {
      const control = new MqttControl(this.#mqtt, this.#settings, this.#logger);
      this.#control = control;
      this.#topology = new MqttTopology(
        control,
        this.#mqtt,
        this.#settings,
        this.#logger,
        (queue) => this.#sessions.get(queue)?.session,
      );
      this.#follow(control);
    }
    await this.#firstConnect(this.#control, this.until(signal));
  }

  /**
   * Reports the control connection's state changes. MQTT.js reconnects it, and each queue's session, by
   * itself; the persistent sessions keep their subscriptions on the broker, so nothing is re-subscribed here.
   */
  #follow(control: MqttControl): void {
    let attempt = 0;
    let up = false;
    control.client.on('connect', () => {
      attempt = 0;
      up = true;
      this.emitEvent('connected');
    });
    control.client.on('close', () => {
      if (!up || this.isClosing) return;
      up = false;
      this.emitEvent('disconnected');
    });
    control.client.on('reconnect', () => {
      attempt += 1;
      this.emitEvent('reconnecting', attempt, this.#settings.reconnect.initialDelayMs);
      if (attempt >= this.#settings.reconnect.maxAttempts) {
        void control.end();
        this.#emitError(failureError('unreachable', `Gave up reconnecting to ${this.name}`));
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
      const fail = (cause: unknown): void => {
        cleanup();
        void control.end();
        this.#control = undefined;
        this.#topology = undefined;
        reject(connectFailure(this.name, cause, mqttFailure));
      };
      const onConnect = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: Error): void => {
        // A CONNACK refusal (bad user name or password, not authorized) is final: retrying cannot fix it.
        if (mqttFailure(error) === 'refused-login') fail(error);
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

  protected async shutDown(): Promise<void> {
    this.abortClosing();
    this.#delays.close();
    await this.consumers.stopAll((subscription) => subscription.cancel());
    await Promise.allSettled([...this.#sessions.values()].map((consumer) => consumer.close()));
    await this.settlePending();
    await this.#control?.end();
  }

  protected send(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions = {},
  ): Promise<void> {
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
    return this.track(pending);
  }

  #publish(
    target: Contract.PublishTarget,
    message: Contract.OutgoingMessage,
    options: Contract.PublishOptions,
  ): Promise<void> {
    const { topology } = this.#ready();
    if (target.exchange === '') {
      // The hot path: no exchange to look up, so no extra await.
      return this.#numbered(queueTopic(target.routingKey), message, options);
    }
    return topology.exchangeExists(target.exchange).then((exists) => {
      if (!exists) throw ERRORS.MS_QUEUE_UNKNOWN_EXCHANGE(`No exchange "${target.exchange}" on ${this.name}`);
      return this.#numbered(exchangeTopic(target.exchange, target.routingKey), message, options);
    });
  }

  /** Sends with the next number of this publisher's sequence on `topic` (for the consumers' gap detector). */
  #numbered(topic: string, message: Contract.OutgoingMessage, options: Contract.PublishOptions): Promise<void> {
    const sequence = (this.#sequences.get(topic) ?? 0) + 1;
    this.#sequences.set(topic, sequence);
    // The queue client's text goes to MQTT.js as it is (the same UTF-8 bytes): no Buffer to build, and
    // MQTT.js's clone of every publish packet copies a string reference instead of the 1 KiB body.
    const body = message.text ?? message.body;
    return this.#send(topic, body, message.properties, { publisher: this.#publisherId, sequence }, options);
  }

  #send(
    topic: string,
    body: Buffer | string,
    properties: Contract.MessageProperties,
    envelope: MqttEnvelope,
    options: Contract.PublishOptions = {},
  ): Promise<void> {
    let acked: Promise<void>;
    const timeoutMs = options.timeoutMs ?? this.#settings.publishTimeoutMs;
    try {
      const { control } = this.#ready();
      acked = control.publish(topic, body, { properties: encodeMqttProperties(properties, envelope) }, true, {
        ms: timeoutMs,
        error: () =>
          failureError(
            'timeout',
            `No PUBACK for "${topic}" within ${timeoutMs} ms; the message may have been delivered`,
          ),
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return unlessAborted(acked, options.signal).catch((error: unknown) => {
      if (mqttFailure(error) === 'unroutable') throw publishFailure(error, mqttFailure, { to: topic, timeoutMs });
      throw error;
    });
  }

  /** An MQTT 5 response topic on the control connection (see `./reply.ts`). */
  replies(onReply: Contract.ReplyHandler): Promise<Contract.ReplyInbox> {
    try {
      return openMqttInbox(this.#ready().control, onReply);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  reply(address: string, message: Contract.OutgoingMessage, options: Contract.PublishOptions = {}): Promise<void> {
    let control: MqttControl;
    try {
      control = this.#ready().control;
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#settings.publishTimeoutMs;
    return withTimeout(sendMqttReply(control, address, message), timeoutMs, () =>
      failureError('timeout', `No PUBACK for the reply to "${address}" within ${timeoutMs} ms`),
    );
  }

  async consume(
    queue: string,
    handler: Contract.DeliveryHandler,
    options: Contract.ConsumeOptions,
  ): Promise<Contract.Subscription> {
    const { topology } = this.#ready();
    const consumerTag = this.consumerTagFor(options, 'mqtt-consumer');
    let consumer = this.#sessions.get(queue);
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
        closing: this.closingSignal,
        onGap: (gap) =>
          this.#logger.warn(
            `${this.name}: messages ${gap.from}..${gap.to} from publisher ${gap.publisher} on ${gap.topic} never arrived ` +
              '(broker queue overflow or a crash before its autosave)',
          ),
        onFatal: (error) => this.#emitError(error),
        onIdle: () => {
          if (this.#sessions.get(queue) === created) this.#sessions.delete(queue);
        },
      });
      consumer = created;
      this.#sessions.set(queue, created);
    }
    consumer.add(consumerTag, handler);
    await consumer.session.ready();
    // Makes sure the session's subscriptions match again, even if the broker restored them broken.
    await consumer.session.subscribe(await topology.queueFilters(queue), true);
    const owner = consumer;
    const subscription: Contract.Subscription = {
      consumerTag,
      cancel: async () => {
        this.consumers.delete(subscription);
        await owner.remove(consumerTag);
      },
    };
    return this.consumers.add(subscription);
  }
}

/**
 * Creates the `mqtt://` transport. Needs the `mqtt` package installed.
 * Query parameters: `sessionExpiry` (seconds, default 86400), `member` (join a queue as an extra session).
 * @example
 * const transport = await createMqttTransport(new URL('mqtt://127.0.0.1:1883/'), {});
 * await transport.connect();
 */
export async function createMqttTransport(url: URL, options: Contract.TransportOptions): Promise<Contract.Transport> {
  const settings = mqttSettings(url, options);
  const mqtt = await loadMqttModule();
  return new MqttTransport(settings, mqtt, options.logger ?? getLogger('microservices.queues.mqtt'));
}
