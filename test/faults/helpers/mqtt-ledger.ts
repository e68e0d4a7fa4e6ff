/**
 * The ledger plumbing the MQTT fault tests share: publish a ledger id as the message id.
 */
import type { Transport } from '../../../src/queues/transports/transport.js';

/** Publishes `id` to `queue` with the id as body and message id; resolves on the broker's acknowledgement. */
export function publishId(transport: Transport, queue: string, id: string): Promise<void> {
  return transport.publish(
    { exchange: '', routingKey: queue },
    { body: Buffer.from(id), properties: { messageId: id } },
  );
}
