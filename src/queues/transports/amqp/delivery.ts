/**
 * One message received on an AMQP consumer channel. Acks and nacks are bound to the channel the message came
 * on: once that channel is gone the broker has already requeued the message, so a late ack or nack returns
 * false and is logged instead of pretending (amqp-connection-manager #362) or closing a newer channel with
 * `PRECONDITION_FAILED - unknown delivery tag`.
 *
 * Requeue counts deliveries. Classic queues have no counter (only `redelivered`), so `nack({requeue: true})`
 * publishes a confirmed copy carrying `x-ms-delivery-count` to the back of the same queue, after `delayMs`,
 * and then acks the original. Dead-lettering works the same way: a confirmed copy with the caller's headers
 * goes to the queue's dead-letter queue, then the original is acked. If the copy cannot be published, the
 * original is requeued natively, so a message is never dropped on the way.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { CODES } from '../../../errors.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { CoreDelivery } from '../core/delivery.js';
import type { OutgoingMessage, PublishTarget } from '../transport.js';
import type { ChannelAcks } from './channel-acks.js';
import { DELIVERY_COUNT_HEADER, deliveryCountOf, fromAmqpProperties } from './codec.js';

/** What a delivery needs from its consumer and transport. */
export interface DeliveryContext {
  readonly queue: string;
  readonly logger: Logger;
  /** True while `channel` is the live channel of the consumer that received the message. */
  isLive(channel: Channel): boolean;
  deadLetterQueueOf(queue: string): string | undefined;
  /** A confirmed publish (the transport's publisher); `signal` abandons it. */
  publish(target: PublishTarget, message: OutgoingMessage, signal?: AbortSignal): Promise<void>;
  /**
   * A confirmed publish to `queue` through its delay bucket (delayed.ts), so a delayed requeue waits on the
   * broker, durably, instead of in this process. Absent: the wait stays in process.
   */
  publishDelayed?(queue: string, message: OutgoingMessage, delayMs: number, signal?: AbortSignal): Promise<void>;
  /** Aborts once `channel` is gone (connection lost, channel closed). */
  channelGone(channel: Channel): AbortSignal;
  /** The ack batch of `channel` (channel-acks.ts); undefined: ack on the channel directly. */
  acksOf(channel: Channel): ChannelAcks | undefined;
  /** Aborts when the transport closes, ending any delay before a requeue. */
  readonly closing: AbortSignal;
  /**
   * Called once the message is settled, whatever the outcome (releases the consumer's bookkeeping). The
   * channel is passed rather than bound so that one context serves every delivery of a consumer.
   */
  onSettled(channel: Channel): void;
}

/**
 * @example
 * const delivery = new AmqpDelivery(message, channel, context);
 * if (await handle(delivery.body)) await delivery.ack(); else await delivery.nack({ requeue: true, delayMs: 1000 });
 */
export class AmqpDelivery extends CoreDelivery {
  #released = false;

  readonly #context: DeliveryContext;

  readonly #channel: Channel;

  readonly #message: ConsumeMessage;

  readonly #acks: ChannelAcks | undefined;

  constructor(message: ConsumeMessage, channel: Channel, context: DeliveryContext) {
    const fields = message.fields;
    const properties = fromAmqpProperties(message.properties);
    const deliveryCount = deliveryCountOf(properties.headers, fields.redelivered);
    // The primitives need the delivery itself, which exists only once the core is built.
    const self: { delivery?: AmqpDelivery } = {};
    const it = (): AmqpDelivery => self.delivery as AmqpDelivery;
    super(
      {
        body: message.content,
        properties,
        deliveryCount,
        deliveryInfo: {
          exchange: fields.exchange,
          routingKey: fields.routingKey,
          consumerTag: fields.consumerTag,
          deliveryTag: fields.deliveryTag,
          // A republished copy is a redelivery too, though the broker sees a new message.
          redelivered: fields.redelivered || deliveryCount > 1,
        },
      },
      {
        ack: async () => it().#settleOnChannel('ack', () => it().#sendAck()),
        requeue: () => it().#republishThenAck(it().#requeueTarget(), it().#requeueHeaders(), 'requeue'),
        ...(context.publishDelayed
          ? {
              requeueAfter: (delayMs: number) =>
                it().#republishThenAck(it().#requeueTarget(), it().#requeueHeaders(), 'delayed requeue', delayMs),
            }
          : {}),
        deadLetter: (headers) => it().#deadLetter(headers),
        isLive: () => context.isLive(channel),
        closing: context.closing,
        abandoned: (reason) => {
          it().#stale(`requeue (${reason})`);
        },
      },
    );
    this.#context = context;
    this.#channel = channel;
    this.#message = message;
    this.#acks = context.acksOf(channel);
    self.delivery = this;
  }

  async #deadLetter(extra: Readonly<Record<string, unknown>>): Promise<boolean> {
    const deadLetterQueue = this.#context.deadLetterQueueOf(this.#context.queue);
    if (deadLetterQueue === undefined) {
      // No dead-letter queue declared here: reject, which drops the message or routes it through a
      // dead-letter exchange configured on the broker.
      return this.#settleOnChannel('reject', () => this.#sendNack(false));
    }
    // The copy starts counting afresh on the dead-letter queue (its consumer must get its own retries); the
    // history stays in the caller's headers (the service's x-attempts).
    const { [DELIVERY_COUNT_HEADER]: _carried, 'x-delivery-count': _native, ...kept } = this.properties.headers ?? {};
    const headers = { ...kept, ...extra, 'x-ms-dead-letter-from': this.#context.queue };
    return this.#republishThenAck({ exchange: '', routingKey: deadLetterQueue }, headers, 'dead-letter');
  }

  /**
   * True for a classic-queue message the broker handed out again after its consumer died or lost its
   * connection without settling it. Only the `redelivered` flag says so, which would count every further
   * crash as the same second delivery; `checkpoint()` turns it into a counted copy.
   */
  get needsCheckpoint(): boolean {
    return this.#message.fields.redelivered && typeof this.properties.headers?.['x-delivery-count'] !== 'number';
  }

  /**
   * Republishes a confirmed copy that carries the deliveries so far (this one not counted: no handler saw
   * it) and acks this one, so a message that keeps killing its consumer still reaches `maxRetries`.
   */
  checkpoint(): Promise<boolean> {
    if (!this.claim()) return Promise.resolve(false);
    const headers = { ...this.properties.headers, [DELIVERY_COUNT_HEADER]: this.deliveryCount - 1 };
    return this.#republishThenAck(this.#requeueTarget(), headers, 'checkpoint');
  }

  #requeueTarget(): PublishTarget {
    return { exchange: '', routingKey: this.#context.queue };
  }

  #requeueHeaders(): Record<string, unknown> {
    return { ...this.properties.headers, [DELIVERY_COUNT_HEADER]: this.deliveryCount };
  }

  async #republishThenAck(
    target: PublishTarget,
    headers: Record<string, unknown>,
    purpose: string,
    delayMs = 0,
  ): Promise<boolean> {
    if (!this.#context.isLive(this.#channel)) return this.#stale(purpose);
    try {
      // The copy is bound to this delivery's channel: once that channel is gone the broker redelivers the
      // original, so a copy still waiting (or unconfirmed) is abandoned rather than sent on a later channel.
      // Otherwise each reconnect would add a copy while the original's ack is dropped: messages multiply.
      const gone = this.#context.channelGone(this.#channel);
      const { publishDelayed } = this.#context;
      const send = (message: OutgoingMessage): Promise<void> =>
        delayMs > 0 && publishDelayed
          ? publishDelayed(target.routingKey, message, delayMs, gone)
          : this.#context.publish(target, message, gone);
      await send({ body: this.body, properties: { ...this.properties, headers } }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== CODES.MS_QUEUE_UNENCODABLE) throw error;
        // The received headers cannot be sent again (over 60 KiB): a native requeue would come straight
        // back here, a tight loop. Send the copy with only the headers this transport sets.
        return send({ body: this.body, properties: { ...this.properties, headers: this.#ownHeaders(headers, error) } });
      });
    } catch (error) {
      logWith(
        this.#context.logger,
        'error',
        { err: error },
        `could not publish the ${purpose} copy of message ${String(this.properties.messageId)} to "${target.routingKey}", requeueing it instead`,
      );
      return this.#settleOnChannel('requeue', () => this.#sendNack(true));
    }
    // If the channel died meanwhile the original comes back too: a duplicate, never a loss.
    return this.#settleOnChannel('ack', () => this.#sendAck());
  }

  /** Through the channel's ack batch: written at the end of the turn, with the other acks of the turn. */
  #sendAck(): void {
    if (this.#acks) this.#acks.ack(this.#message);
    else this.#channel.ack(this.#message);
  }

  /** At once; the ack batch forgets the message first, so that no later `multiple` ack covers it. */
  #sendNack(requeue: boolean): void {
    this.#acks?.forget(this.#message);
    this.#channel.nack(this.#message, false, requeue);
  }

  /** The headers of a copy that this transport added or changed, plus why the others were dropped. */
  #ownHeaders(headers: Record<string, unknown>, error: unknown): Record<string, unknown> {
    const received = this.properties.headers ?? {};
    const own: Record<string, unknown> = { 'x-ms-headers-dropped': (error as Error).message };
    for (const [key, value] of Object.entries(headers)) if (received[key] !== value) own[key] = value;
    return own;
  }

  #settleOnChannel(action: string, send: () => void): boolean {
    if (!this.#context.isLive(this.#channel)) return this.#stale(action);
    try {
      send();
      return true;
    } catch (error) {
      return this.#stale(`${action} (${(error as Error).message})`);
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#context.onSettled(this.#channel);
  }

  #stale(action: string): false {
    this.#context.logger.warn(
      `dropped ${action} of delivery ${this.deliveryInfo.deliveryTag} on "${this.#context.queue}": its channel is gone, the broker redelivers it`,
    );
    this.#release();
    return false;
  }
}
