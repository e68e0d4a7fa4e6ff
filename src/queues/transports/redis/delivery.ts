/**
 * One stream entry handed to a consumer. The delivery only guards "exactly one of ack/nack takes effect";
 * what settling means on the server (fenced XACK, dead-letter copy, release for redelivery) belongs to the
 * consumer that read it.
 */

import type { Delivery, DeliveryInfo, MessageProperties, NackOptions } from '../transport.js';
import type { StreamEntry } from './codec.js';

/** What a delivery asks of the consumer that produced it. */
export interface RedisSettler {
  ack(delivery: RedisDelivery): Promise<boolean>;
  nack(delivery: RedisDelivery, options: NackOptions): Promise<boolean>;
  touch(delivery: RedisDelivery): Promise<void>;
}

export class RedisDelivery implements Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly deliveryInfo: DeliveryInfo;
  readonly deliveryCount: number;
  readonly entry: StreamEntry;
  #settled = false;
  readonly #settler: RedisSettler;

  constructor(entry: StreamEntry, deliveryCount: number, consumerTag: string, settler: RedisSettler) {
    this.entry = entry;
    this.body = entry.body;
    this.properties = entry.properties;
    this.deliveryCount = deliveryCount;
    this.deliveryInfo = {
      exchange: entry.exchange,
      routingKey: entry.routingKey,
      consumerTag,
      deliveryTag: entry.id,
      redelivered: deliveryCount > 1,
    };
    this.#settler = settler;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The stream entry id, which is also the delivery tag. */
  get id(): string {
    return this.entry.id;
  }

  ack(): Promise<boolean> {
    if (this.#settled) return Promise.resolve(false);
    this.#settled = true;
    return this.#settler.ack(this);
  }

  nack(options: NackOptions): Promise<boolean> {
    if (this.#settled) return Promise.resolve(false);
    this.#settled = true;
    return this.#settler.nack(this, options);
  }

  /** Resets the entry's idle time so no other consumer claims it while the handler is still working. */
  touch(): Promise<void> {
    return this.#settled ? Promise.resolve() : this.#settler.touch(this);
  }
}
