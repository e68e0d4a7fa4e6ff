/**
 * Wraps one JetStream message as a `Delivery`. With `doubleAck` an ack waits for the server's confirmation,
 * so `ack()` resolving true means the message is gone from the queue; without it, true means the ack was
 * handed to a live connection. A nack on the last allowed delivery
 * (`maxDeliver`) dead-letters instead of requeueing, because the server would never deliver it again.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../../logging.js';
import type { Delivery, DeliveryInfo, MessageProperties, NackOptions } from '../transport.js';
import { decodeNatsHeaders } from './codec.js';

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
  const deliveryCount = message.info.deliveryCount;
  const deliveryInfo: DeliveryInfo = {
    ...route,
    consumerTag,
    deliveryTag: message.seq,
    redelivered: message.redelivered,
  };
  let settled = false;

  const settleOnce = (): boolean => {
    if (settled) return false;
    settled = true;
    hooks.settled();
    return true;
  };

  const confirmAck = async (): Promise<boolean> => {
    if (!hooks.connectionOpen()) return false;
    try {
      if (hooks.doubleAck) return await message.ackAck({ timeout: hooks.ackTimeoutMs });
      await ackWithTheOthers(message);
      return true;
    } catch (error) {
      hooks.logger.warn(`ack of stream sequence ${message.seq} not confirmed; the server will redeliver`, error);
      return false;
    }
  };

  const deadLetter = async (extraHeaders: Readonly<Record<string, unknown>>): Promise<boolean> => {
    const copy: MessageProperties = { ...properties, headers: { ...properties.headers, ...extraHeaders } };
    let published = false;
    try {
      published = await hooks.deadLetter(Buffer.from(message.data), copy);
    } catch (error) {
      hooks.logger.warn(`dead-lettering stream sequence ${message.seq} failed; it will be redelivered`, error);
    }
    if (!published) {
      // Keeps the message: it comes back after AckWait rather than vanishing.
      safely(() => message.nak());
      return false;
    }
    return confirmAck();
  };

  const safely = (action: () => void): boolean => {
    try {
      action();
      return true;
    } catch (error) {
      hooks.logger.warn(`settling stream sequence ${message.seq} failed; the server will redeliver`, error);
      return false;
    }
  };

  return {
    body: Buffer.from(message.data),
    properties,
    deliveryInfo,
    deliveryCount,
    get settled() {
      return settled;
    },
    async ack() {
      if (!settleOnce()) return false;
      return confirmAck();
    },
    async nack(options: NackOptions) {
      if (!settleOnce()) return false;
      if (!options.requeue) return deadLetter(options.headers ?? {});
      if (deliveryCount >= hooks.maxDeliver) {
        return deadLetter({ 'x-death-reason': 'max-deliver', 'x-delivery-count': deliveryCount });
      }
      return safely(() => message.nak(options.delayMs));
    },
    async touch() {
      if (!settled) safely(() => message.working());
    },
  };
}
