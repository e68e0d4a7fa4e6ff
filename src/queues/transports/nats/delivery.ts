/**
 * Wraps one JetStream message as a `Delivery`. With `doubleAck` an ack waits for the server's confirmation,
 * so `ack()` resolving true means the message is gone from the queue; without it, true means the ack was
 * handed to a live connection. A nack on the last allowed delivery
 * (`maxDeliver`) dead-letters instead of requeueing, because the server would never deliver it again.
 */
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { CoreDelivery, copyThenAck, deadLetterProperties, type SettlePrimitives } from '../core/delivery.js';
import type { Delivery, DeliveryInfo, MessageProperties } from '../transport.js';
import { decodeNatsHeaders } from './codec.js';
import type { NatsMessage } from './pulled-message.js';

/** What a delivery needs from its subscription: one object per subscription, shared by all its deliveries. */
export interface NatsDeliveryHooks {
  readonly logger: Logger;
  readonly maxDeliver: number;
  readonly ackTimeoutMs: number;
  readonly doubleAck: boolean;
  /** False once the transport is closed: an ack then cannot reach the server. */
  connectionOpen(): boolean;
  /**
   * Publishes a copy to the queue's dead-letter queue and resolves true once it is confirmed, true as well
   * when the queue has none (the message is dropped), false when the copy could not be published.
   */
  deadLetter(body: Buffer, properties: MessageProperties): Promise<boolean>;
  /** Called once when `message` is settled, to free its prefetch slot. */
  settled(message: NatsMessage): void;
}

// Acks given within one turn of the event loop, sent together at its end: the client writes to the socket
// once per microtask checkpoint, so acks sent one by one from the handlers' promise chains cost a socket write
// each (about a third of the consumer's CPU). The connection is still open when they go: close() waits
// for a round trip to the server (flush) first. One queue of settlements, no closure or promise per ack
// beyond the one the caller awaits.
interface QueuedAck {
  readonly message: NatsMessage;
  readonly resolve: (sent: boolean) => void;
  readonly failed: (error: unknown) => boolean;
}
let queuedAcks: QueuedAck[] = [];

function sendQueuedAcks(): void {
  const acks = queuedAcks;
  queuedAcks = [];
  for (const entry of acks) {
    try {
      entry.message.ack();
      entry.resolve(true);
    } catch (error) {
      entry.resolve(entry.failed(error));
    }
  }
}

function ackWithTheOthers(message: NatsMessage, failed: (error: unknown) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    if (queuedAcks.length === 0) setImmediate(sendQueuedAcks);
    queuedAcks.push({ message, resolve, failed });
  });
}

/**
 * A view of the message's payload, not a copy: the client hands each message a slice of the socket chunk it
 * read, which it never writes to again.
 */
function bodyOf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The broker side of one delivery: what `CoreDelivery` calls to settle it. */
class NatsSettlement implements SettlePrimitives {
  readonly #message: NatsMessage;
  readonly #hooks: NatsDeliveryHooks;
  readonly #properties: MessageProperties;
  readonly #deliveryCount: number;

  constructor(message: NatsMessage, hooks: NatsDeliveryHooks, properties: MessageProperties, deliveryCount: number) {
    this.#message = message;
    this.#hooks = hooks;
    this.#properties = properties;
    this.#deliveryCount = deliveryCount;
  }

  // The prefetch slot is freed as soon as the delivery is settled, before the server confirms.
  ack(): Promise<boolean> {
    this.#hooks.settled(this.#message);
    return this.#confirmAck();
  }

  requeue(delayMs?: number): Promise<boolean> {
    this.#hooks.settled(this.#message);
    if (this.#message.info.deliveryCount >= this.#hooks.maxDeliver) {
      // The server would never deliver it again: dead-letter instead of requeueing.
      return this.#deadLetter({ 'x-death-reason': 'max-deliver', 'x-delivery-count': this.#deliveryCount });
    }
    return Promise.resolve(this.#safely(() => this.#message.nak(delayMs)));
  }

  requeueAfter(delayMs: number): Promise<boolean> {
    return this.requeue(delayMs);
  }

  deadLetter(headers: Readonly<Record<string, unknown>>): Promise<boolean> {
    this.#hooks.settled(this.#message);
    return this.#deadLetter(headers);
  }

  async touch(): Promise<void> {
    this.#safely(() => this.#message.working());
  }

  #confirmAck(): Promise<boolean> {
    const hooks = this.#hooks;
    if (!hooks.connectionOpen()) return Promise.resolve(false);
    if (hooks.doubleAck) {
      return this.#message.ackAck({ timeout: hooks.ackTimeoutMs }).catch((error: unknown) => this.#ackFailed(error));
    }
    return ackWithTheOthers(this.#message, (error) => this.#ackFailed(error));
  }

  #ackFailed(error: unknown): boolean {
    return this.#redeliverLater(error, `ack of stream sequence ${this.#message.seq} not confirmed`);
  }

  /** Logs a settlement that did not reach the server (it redelivers after AckWait); always false. */
  #redeliverLater(error: unknown, what: string): false {
    logWith(this.#hooks.logger, 'warn', { err: error }, `${what}; the server will redeliver`);
    return false;
  }

  #safely(action: () => void): boolean {
    try {
      action();
      return true;
    } catch (error) {
      return this.#redeliverLater(error, `settling stream sequence ${this.#message.seq} failed`);
    }
  }

  #deadLetter(extraHeaders: Readonly<Record<string, unknown>>): Promise<boolean> {
    const message = this.#message;
    const hooks = this.#hooks;
    return copyThenAck(
      async () => {
        if (!(await hooks.deadLetter(bodyOf(message.data), deadLetterProperties(this.#properties, extraHeaders)))) {
          throw new Error('the dead-letter copy was not confirmed');
        }
      },
      () => this.#confirmAck(),
      (error) => {
        logWith(
          hooks.logger,
          'warn',
          { err: error },
          `dead-lettering stream sequence ${message.seq} failed; it will be redelivered`,
        );
        // Keeps the message: it comes back after AckWait rather than vanishing.
        this.#safely(() => message.nak());
        return false;
      },
    );
  }
}

/**
 * Builds the delivery for `message` received by `consumerTag`; `heldBack` counts the deliveries this process
 * spent holding a delayed message back (delayed.ts), which are left out of `deliveryCount`.
 * @example handler(natsDelivery(message, 'worker-1', { exchange: '', routingKey: 'basic' }, hooks, 0));
 */
export function natsDelivery(
  message: NatsMessage,
  consumerTag: string,
  route: { readonly exchange: string; readonly routingKey: string },
  hooks: NatsDeliveryHooks,
  heldBack: number,
  properties: MessageProperties = decodeNatsHeaders(message.headers),
): Delivery {
  const info = message.info;
  const deliveryCount = Math.max(1, info.deliveryCount - heldBack);
  const deliveryInfo: DeliveryInfo = {
    exchange: route.exchange,
    routingKey: route.routingKey,
    consumerTag,
    deliveryTag: info.streamSequence,
    redelivered: info.deliveryCount > 1,
  };
  return new CoreDelivery(
    { body: bodyOf(message.data), properties, deliveryInfo, deliveryCount },
    new NatsSettlement(message, hooks, properties, deliveryCount),
  );
}
