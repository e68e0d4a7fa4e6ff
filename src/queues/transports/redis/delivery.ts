/**
 * One stream entry handed to a consumer. The core delivery guards "exactly one of ack/nack takes effect";
 * what settling means on the server (fenced XACK, dead-letter copy, release for redelivery) belongs to the
 * consumer that read it.
 */

import { CoreDelivery, type SettlePrimitives } from '../core/delivery.js';
import type { NackOptions } from '../transport.js';
import type { StreamEntry } from './codec.js';

/** What a delivery asks of the consumer that produced it. */
export interface RedisSettler {
  ack(delivery: RedisDelivery): Promise<boolean>;
  nack(delivery: RedisDelivery, options: NackOptions): Promise<boolean>;
  touch(delivery: RedisDelivery): Promise<void>;
}

/**
 * The settle primitives of one delivery: one object that forwards to the consumer, where five closures and
 * a back-reference object per delivery were before. `delivery` is set right after the core is built.
 */
class RedisSettlement implements SettlePrimitives {
  readonly #settler: RedisSettler;
  delivery!: RedisDelivery;

  constructor(settler: RedisSettler) {
    this.#settler = settler;
  }

  ack(): Promise<boolean> {
    return this.#settler.ack(this.delivery);
  }

  requeue(): Promise<boolean> {
    return this.#settler.nack(this.delivery, { requeue: true });
  }

  /** A retry with backoff: the message waits in the queue's delayed set on the server (delayed.ts). */
  requeueAfter(delayMs: number): Promise<boolean> {
    return this.#settler.nack(this.delivery, { requeue: true, delayMs });
  }

  deadLetter(headers: Readonly<Record<string, unknown>>): Promise<boolean> {
    return this.#settler.nack(this.delivery, { requeue: false, headers });
  }

  /** Resets the entry's idle time so no other consumer claims it while the handler is still working. */
  touch(): Promise<void> {
    return this.#settler.touch(this.delivery);
  }
}

export class RedisDelivery extends CoreDelivery {
  readonly entry: StreamEntry;

  constructor(entry: StreamEntry, deliveryCount: number, consumerTag: string, settler: RedisSettler) {
    const settlement = new RedisSettlement(settler);
    const count = deliveryCount + (entry.priorDeliveries ?? 0);
    super(
      {
        body: entry.body,
        properties: entry.properties,
        deliveryCount: count,
        deliveryInfo: {
          exchange: entry.exchange,
          routingKey: entry.routingKey,
          consumerTag,
          deliveryTag: entry.id,
          redelivered: count > 1,
        },
      },
      settlement,
    );
    settlement.delivery = this;
    this.entry = entry;
  }

  /** The stream entry id, which is also the delivery tag. */
  get id(): string {
    return this.entry.id;
  }
}
