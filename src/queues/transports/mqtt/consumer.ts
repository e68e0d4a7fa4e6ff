/**
 * Every `consume()` of one queue within a transport shares one connection to the queue's session (MQTT
 * allows one connection per client id). Deliveries go round-robin to the live handlers. A cancelled
 * consumer gets nothing more; once no handler is left and every delivery it handed out is settled, the
 * connection ends and the session keeps what is still queued.
 * The prefetch is also enforced here: Mosquitto 2.0 can send more than the connection's receive maximum
 * after an acknowledgement, so extra messages wait (unacknowledged, so still safe in the session) in arrival
 * order until a delivery is settled.
 */

import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { DeliveryHandler, MessageProperties } from '../transport.js';
import type { DecodedProperties, MqttEnvelope } from './codec.js';
import { decodeMqttProperties } from './codec.js';
import { mqttDelivery } from './delivery.js';
import type { GapDetector } from './gaps.js';
import type { MqttModule } from './peer.js';
import type { IncomingMessage } from './session.js';
import { MqttSession } from './session.js';
import type { MqttSettings } from './settings.js';

export interface QueueConsumerOptions {
  readonly mqtt: MqttModule;
  readonly settings: MqttSettings;
  readonly queue: string;
  readonly clientId: string;
  readonly prefetch: number;
  readonly logger: Logger;
  readonly gaps: GapDetector;
  readonly republish: (
    queue: string,
    body: Buffer,
    properties: MessageProperties,
    envelope: MqttEnvelope,
  ) => Promise<void>;
  readonly deadLetterQueue: () => Promise<string | false | undefined>;
  /** Aborts when the transport closes. */
  readonly closing: AbortSignal;
  readonly onGap: (gap: { publisher: string; topic: string; from: number; to: number }) => void;
  readonly onFatal: (error: Error) => void;
  /** Called when the connection has ended because nothing uses it any more. */
  readonly onIdle: () => void;
}

export class MqttQueueConsumer {
  readonly session: MqttSession;
  readonly #handlers: Array<{ readonly tag: string; readonly handler: DeliveryHandler }> = [];
  #next = 0;
  #unsettled = 0;
  readonly #waiting: Array<{ readonly message: IncomingMessage; readonly decoded: DecodedProperties }> = [];
  #ending: Promise<void> | undefined;

  readonly #options: QueueConsumerOptions;

  constructor(options: QueueConsumerOptions) {
    this.#options = options;
    this.session = new MqttSession({
      mqtt: options.mqtt,
      settings: options.settings,
      clientId: options.clientId,
      receiveMaximum: options.prefetch,
      logger: options.logger,
      onMessage: (message) => this.#arrived(message),
      onFatal: options.onFatal,
    });
  }

  add(tag: string, handler: DeliveryHandler): void {
    this.#handlers.push({ tag, handler });
    this.#pump();
  }

  /** Removes a handler; ends the connection when nothing is left to serve or settle. */
  remove(tag: string): Promise<void> {
    const index = this.#handlers.findIndex((entry) => entry.tag === tag);
    if (index >= 0) this.#handlers.splice(index, 1);
    return this.#endIfIdle();
  }

  #endIfIdle(): Promise<void> {
    if (this.#handlers.length > 0 || this.#unsettled > 0) return Promise.resolve();
    this.#ending ??= this.session.end().then(() => this.#options.onIdle());
    return this.#ending;
  }

  /** Ends the connection now; unsettled deliveries stay in the session and come back on the next connect. */
  close(): Promise<void> {
    this.#handlers.length = 0;
    this.#waiting.length = 0;
    this.#ending ??= this.session.end().then(() => this.#options.onIdle());
    return this.#ending;
  }

  #observeSequence(message: IncomingMessage, envelope: MqttEnvelope): void {
    if (message.packet.dup || envelope.deliveryCount !== undefined) return;
    if (envelope.publisher === undefined || envelope.sequence === undefined) return;
    const gap = this.#options.gaps.observe(envelope.publisher, message.packet.topic, envelope.sequence);
    if (gap) this.#options.onGap({ publisher: envelope.publisher, topic: message.packet.topic, ...gap });
  }

  #arrived(message: IncomingMessage): void {
    // Decoded once, for the gap detector and for the delivery.
    const decoded = decodeMqttProperties(message.packet.properties);
    this.#observeSequence(message, decoded.envelope);
    this.#waiting.push({ message, decoded });
    this.#pump();
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#unsettled < this.#options.prefetch && this.#handlers.length > 0) {
      const { message, decoded } = this.#waiting.shift() as { message: IncomingMessage; decoded: DecodedProperties };
      this.#dispatch(message, decoded);
    }
  }

  #dispatch(message: IncomingMessage, decoded: DecodedProperties): void {
    const entry = this.#handlers[this.#next % Math.max(1, this.#handlers.length)];
    // Cancelled: leave it unacknowledged; the broker sends it again on the next connection to the session.
    if (!entry) return;
    this.#next += 1;
    this.#unsettled += 1;
    const delivery = mqttDelivery(
      this.#options.queue,
      message,
      entry.tag,
      {
        logger: this.#options.logger,
        acknowledge: (incoming) => this.session.acknowledge(incoming),
        isCurrent: (incoming) => this.session.isCurrent(incoming),
        republish: this.#options.republish,
        deadLetterQueue: this.#options.deadLetterQueue,
        closing: this.#options.closing,
        settled: () => {
          this.#unsettled -= 1;
          this.#pump();
          void this.#endIfIdle();
        },
      },
      decoded,
    );
    try {
      entry.handler(delivery);
    } catch (error) {
      logWith(
        this.#options.logger,
        'error',
        { err: error },
        `handler for "${this.#options.queue}" threw synchronously`,
      );
    }
  }
}
