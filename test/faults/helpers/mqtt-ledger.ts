/**
 * The ledger plumbing the MQTT fault tests share: publish a ledger id as the message id, and consume a
 * queue into the ledger, acknowledging every delivery.
 */
import type { Subscription, Transport } from '../../../src/queues/transports/transport.js';
import type { Ledger } from './ledger.js';

/** Publishes `id` to `queue` with the id as body and message id; resolves on the broker's acknowledgement. */
export function publishId(transport: Transport, queue: string, id: string): Promise<void> {
  return transport.publish(
    { exchange: '', routingKey: queue },
    { body: Buffer.from(id), properties: { messageId: id } },
  );
}

/** Consumes `queue`, recording each delivery's message id in the ledger and acknowledging it. */
export function consumeIntoLedger(
  transport: Transport,
  queue: string,
  ledger: Ledger,
  prefetch = 50,
): Promise<Subscription> {
  return transport.consume(
    queue,
    (delivery) => {
      ledger.deliver({
        id: delivery.properties.messageId ?? '',
        redelivered: delivery.deliveryInfo.redelivered,
        deliveryCount: delivery.deliveryCount,
      });
      void delivery.ack();
    },
    { prefetch },
  );
}
