/**
 * Wraps one JetStream message as a `Delivery`. With `doubleAck` an ack waits for the server's confirmation,
 * so `ack()` resolving true means the message is gone from the queue; without it, true means the ack was
 * handed to a live connection. A nack on the last allowed delivery
 * (`maxDeliver`) dead-letters instead of requeueing, because the server would never deliver it again.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { CoreDelivery, copyThenAck, deadLetterProperties } from '../core/delivery.js';
import type { Delivery, DeliveryInfo, MessageProperties } from '../transport.js';
import { decodeNatsHeaders } from './codec.js';

export interface NatsDeliveryHooks {
  readonly logger: Logger;
  readonly maxDeliver: number;
  readonly ackTimeoutMs: number;
  readonly doubleAck: boolean;
  /** Deliveries this process spent holding a delayed message back (delayed.ts); left out of `deliveryCount`. */
  readonly heldBack?: number;
  /** False once the transport is closed: an ack then cannot reach the server. */
  connectionOpen(): boolean;
  /**
   * Publishes a copy to the queue's dead-letter queue and resolves true once it is confirmed, true as well
   * when the queue has none (the message is dropped), false when the copy could not be published.
   */
  deadLetter(body: Buffer, properties: MessageProperties): Promise<boolean>;
  /** Called once when the delivery is settled, to free its prefetch slot. */
  settled(): void;
}

// Acks given within one turn of the event loop, sent together at its end: the client writes to the socket
// once per microtask checkpoint, so acks sent one by one from the handlers' promise chains cost a socket write
// each (about a third of the consumer's CPU). The connection is still open when they go: close() waits
// for a round trip to the server (flush) first.
let queuedAcks: Array<() => void> = [];

function sendQueuedAcks(): void {
  const acks = queuedAcks;
  queuedAcks = [];
  for (const send of acks) send();
}

function ackWithTheOthers(message: JsMsg): Promise<void> {
  return new Promise((resolve, reject) => {
    if (queuedAcks.length === 0) setImmediate(sendQueuedAcks);
    queuedAcks.push(() => {
      try {
        message.ack();
        resolve();
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * Builds the delivery for `message` received by `consumerTag`.
 * @example handler(natsDelivery(message, 'worker-1', { exchange: '', routingKey: 'basic' }, hooks));
 */
export function natsDelivery(
  message: JsMsg,
  consumerTag: string,
  route: { readonly exchange: string; readonly routingKey: string },
  hooks: NatsDeliveryHooks,
): Delivery {
  const properties = decodeNatsHeaders(message.headers);
  const serverCount = message.info.deliveryCount;
  const deliveryCount = Math.max(1, serverCount - (hooks.heldBack ?? 0));
  const deliveryInfo: DeliveryInfo = {
    ...route,
    consumerTag,
    deliveryTag: message.seq,
    redelivered: message.redelivered,
  };
  const confirmAck = async (): Promise<boolean> => {
    if (!hooks.connectionOpen()) return false;
    try {
      if (hooks.doubleAck) return await message.ackAck({ timeout: hooks.ackTimeoutMs });
      await ackWithTheOthers(message);
      return true;
    } catch (error) {
      return redeliverLater(hooks.logger, error, `ack of stream sequence ${message.seq} not confirmed`);
    }
  };

  const safely = (action: () => void): boolean => {
    try {
      action();
      return true;
    } catch (error) {
      return redeliverLater(hooks.logger, error, `settling stream sequence ${message.seq} failed`);
    }
  };

  const deadLetter = (extraHeaders: Readonly<Record<string, unknown>>): Promise<boolean> =>
    copyThenAck(
      async () => {
        if (!(await hooks.deadLetter(Buffer.from(message.data), deadLetterProperties(properties, extraHeaders)))) {
          throw new Error('the dead-letter copy was not confirmed');
        }
      },
      confirmAck,
      (error) => {
        logWith(
          hooks.logger,
          'warn',
          { err: error },
          `dead-lettering stream sequence ${message.seq} failed; it will be redelivered`,
        );
        // Keeps the message: it comes back after AckWait rather than vanishing.
        safely(() => message.nak());
        return false;
      },
    );

  // The prefetch slot is freed as soon as the delivery is settled, before the server confirms.
  const released = <T>(settle: () => T): T => {
    hooks.settled();
    return settle();
  };
  const requeue = async (delayMs?: number): Promise<boolean> => {
    hooks.settled();
    if (serverCount >= hooks.maxDeliver) {
      // The server would never deliver it again: dead-letter instead of requeueing.
      return deadLetter({ 'x-death-reason': 'max-deliver', 'x-delivery-count': deliveryCount });
    }
    return safely(() => message.nak(delayMs));
  };

  return new CoreDelivery(
    { body: Buffer.from(message.data), properties, deliveryInfo, deliveryCount },
    {
      ack: () => released(confirmAck),
      requeue: () => requeue(),
      requeueAfter: (delayMs) => requeue(delayMs),
      deadLetter: (headers) => released(() => deadLetter(headers)),
      touch: async () => {
        safely(() => message.working());
      },
    },
  );
}

/** Logs a settlement that did not reach the server (it redelivers after AckWait); always false. */
function redeliverLater(logger: Logger, error: unknown, what: string): false {
  logWith(logger, 'warn', { err: error }, `${what}; the server will redeliver`);
  return false;
}
