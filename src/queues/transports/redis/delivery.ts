/**
 * One stream entry handed to a consumer. The core delivery guards "exactly one of ack/nack takes effect";
 * what settling means on the server (fenced XACK, dead-letter copy, release for redelivery) belongs to the
 * consumer that read it.
 */

import { CoreDelivery } from '../core/delivery.js';
import type { NackOptions } from '../transport.js';
import type { StreamEntry } from './codec.js';

/** What a delivery asks of the consumer that produced it. */
export interface RedisSettler {
  ack(delivery: RedisDelivery): Promise<boolean>;
  nack(delivery: RedisDelivery, options: NackOptions): Promise<boolean>;
  touch(delivery: RedisDelivery): Promise<void>;
}

export class RedisDelivery extends CoreDelivery {
  readonly entry: StreamEntry;

  constructor(entry: StreamEntry, deliveryCount: number, consumerTag: string, settler: RedisSettler) {
    // The primitives need the delivery itself, which exists only once the core is built.
    const self: { delivery?: RedisDelivery } = {};
    const it = (): RedisDelivery => self.delivery as RedisDelivery;
    super(
      {
        body: entry.body,
        properties: entry.properties,
        deliveryCount: deliveryCount + (entry.priorDeliveries ?? 0),
        deliveryInfo: {
          exchange: entry.exchange,
          routingKey: entry.routingKey,
          consumerTag,
          deliveryTag: entry.id,
          redelivered: deliveryCount + (entry.priorDeliveries ?? 0) > 1,
        },
      },
      {
        ack: () => settler.ack(it()),
        requeue: () => settler.nack(it(), { requeue: true }),
        // A retry with backoff: the message waits in the queue's delayed set on the server (delayed.ts).
        requeueAfter: (delayMs) => settler.nack(it(), { requeue: true, delayMs }),
        deadLetter: (headers) => settler.nack(it(), { requeue: false, headers }),
        // Resets the entry's idle time so no other consumer claims it while the handler is still working.
        touch: () => settler.touch(it()),
      },
    );
    self.delivery = this;
    this.entry = entry;
  }

  /** The stream entry id, which is also the delivery tag. */
  get id(): string {
    return this.entry.id;
  }
}
