/**
 * The acks of one consumer channel, sent at the end of the turn they were made in. The acked deliveries from
 * the oldest one still outstanding on the channel onwards go as one `basic.ack` with `multiple` set; any
 * acked behind a delivery still being handled go one by one. A consumer acking 100 messages of a prefetch
 * window in one turn thus writes one frame instead of 100, on the client and on the broker.
 *
 * `multiple` acks every delivery up to the tag that the broker still holds unacked. So every delivery is
 * registered when it arrives (`received`), and a nacked one is forgotten when its nack is sent (`forget`):
 * the batch only covers deliveries that are acked or already settled, never one still being handled.
 */
import type { Channel, ConsumeMessage } from 'amqplib';

/** A delivery still outstanding on the channel: being handled (`acked` false), or acked and not yet sent. */
interface Outstanding {
  readonly message: ConsumeMessage;
  acked: boolean;
}

/**
 * @example
 * const acks = new ChannelAcks(channel, (error) => logger.debug(error));
 * acks.received(message); … acks.ack(message); // sent at the end of the turn
 */
export class ChannelAcks {
  readonly #channel: Channel;
  readonly #onError: (error: unknown) => void;
  /** By delivery tag, in the order received (a Map keeps insertion order; tags grow on a channel). */
  readonly #outstanding = new Map<number, Outstanding>();
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(channel: Channel, onError: (error: unknown) => void) {
    this.#channel = channel;
    this.#onError = onError;
  }

  /** Registers a delivery as it arrives, before any handler sees it. */
  received(message: ConsumeMessage): void {
    this.#outstanding.set(message.fields.deliveryTag, { message, acked: false });
  }

  /** Acks at the end of this turn (at the latest on `flush()`). */
  ack(message: ConsumeMessage): void {
    const entry = this.#outstanding.get(message.fields.deliveryTag);
    if (entry === undefined) {
      this.#channel.ack(message);
      return;
    }
    entry.acked = true;
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(this.#flush);
  }

  /** A delivery settled another way (nack, reject): no batch may cover it any more. */
  forget(message: ConsumeMessage): void {
    this.#outstanding.delete(message.fields.deliveryTag);
  }

  /** Sends the acks made so far: call before closing the channel, so that none is left behind. */
  flush(): void {
    this.#scheduled = false;
    let last: ConsumeMessage | undefined;
    let count = 0;
    const outstanding = this.#outstanding;
    try {
      for (const [tag, entry] of outstanding) {
        if (!entry.acked) break;
        last = entry.message;
        count += 1;
        outstanding.delete(tag);
      }
      if (last !== undefined) this.#channel.ack(last, count > 1);
      if (outstanding.size === 0) return;
      for (const [tag, entry] of outstanding) {
        if (!entry.acked) continue;
        outstanding.delete(tag);
        this.#channel.ack(entry.message);
      }
    } catch (error) {
      // The channel closed under the batch: the broker requeues what it did not get acked (a duplicate, never
      // a loss), as for an ack frame lost with its connection.
      outstanding.clear();
      this.#onError(error);
    }
  }
}
