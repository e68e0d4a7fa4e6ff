/**
 * One consumer of one queue, on a channel of its own so that its prefetch is its own and a channel error
 * (a double ack, a deleted queue) stops only this consumer. The consumer outlives its channel: after a
 * reconnect the transport attaches it to the new connection, and when the broker closes or cancels just
 * this channel it attaches itself again with backoff.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { backoffDelay, sleep } from '../../../internal/backoff.js';
import { sharedAbortController } from '../../../internal/shared-signal.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { DEAD_LETTER_HEADERS } from '../../retry.js';
import type { ConsumeOptions, DeliveryHandler, OutgoingMessage, PublishTarget, Subscription } from '../transport.js';
import { ChannelAcks } from './channel-acks.js';
import { closeUntilGone } from './close-until-gone.js';
import { AmqpDelivery, type DeliveryContext } from './delivery.js';
import { UNREADABLE_HEADERS, type UnreadableHeaders } from './field-decode.js';

/** What a consumer needs from its transport. */
export interface ConsumerHost {
  readonly logger: Logger;
  readonly closing: AbortSignal;
  /** The live connection, or undefined while reconnecting (the transport re-attaches consumers then). */
  currentConnection(): ChannelModel | undefined;
  deadLetterQueueOf(queue: string): string | undefined;
  /** A confirmed publish; `signal` abandons it (never sent again on a later channel). */
  publish(target: PublishTarget, message: OutgoingMessage, signal?: AbortSignal): Promise<void>;
  /** A confirmed publish through the queue's delay bucket (see DeliveryContext.publishDelayed). */
  publishDelayed?(queue: string, message: OutgoingMessage, delayMs: number, signal?: AbortSignal): Promise<void>;
  /** Forgets a cancelled consumer once its channels are closed. */
  remove(consumer: AmqpConsumer): void;
}

const REATTACH_BACKOFF = { initialDelayMs: 500, maxDelayMs: 15_000 };

/**
 * @example
 * const consumer = new AmqpConsumer('jobs', (delivery) => void delivery.ack(), { prefetch: 10 }, host);
 * await consumer.attach(model);
 */
export class AmqpConsumer implements Subscription {
  readonly consumerTag: string;
  #channel: Channel | undefined;
  #cancelled = false;
  #reattaching = false;
  #attaching: Promise<void> | undefined;
  readonly #unsettled = new Map<Channel, number>();
  /** Each channel's ack batch (acks of one turn leave as one frame). */
  readonly #acks = new WeakMap<Channel, ChannelAcks>();
  readonly #closings = new Map<Channel, Promise<void>>();
  /** Aborted when a channel is gone: copies republished for its deliveries are abandoned (see amqp-delivery.ts). */
  readonly #channelGone = new WeakMap<Channel, AbortController>();
  /** One context for every delivery of this consumer (built once, not per message). */
  readonly #deliveryContext: DeliveryContext;

  readonly #host: ConsumerHost;

  readonly #options: ConsumeOptions;

  readonly #handler: DeliveryHandler;

  constructor(
    readonly queue: string,
    handler: DeliveryHandler,
    options: ConsumeOptions,
    host: ConsumerHost,
  ) {
    this.#host = host;
    this.#options = options;
    this.#handler = handler;
    this.consumerTag = options.consumerTag ?? `ms-${queue}-${randomUUID()}`;
    this.#deliveryContext = {
      queue,
      logger: host.logger,
      closing: host.closing,
      isLive: (channel) => this.#channel === channel,
      deadLetterQueueOf: (name) => host.deadLetterQueueOf(name),
      publish: (target, message, signal) => host.publish(target, message, signal),
      ...(host.publishDelayed ? { publishDelayed: host.publishDelayed } : {}),
      channelGone: (channel) => this.#goneSignal(channel),
      acksOf: (channel) => this.#acks.get(channel),
      onSettled: (channel) => this.#onSettled(channel),
    };
  }

  get isCancelled(): boolean {
    return this.#cancelled;
  }

  /** True while a channel is consuming. */
  get isAttached(): boolean {
    return this.#channel !== undefined;
  }

  /** Opens a channel on `model`, sets the prefetch and starts consuming; one attempt at a time. */
  attach(model: ChannelModel): Promise<void> {
    if (this.#cancelled || this.#channel) return Promise.resolve();
    // A consumer tag may be used once per connection, so two racing attaches must share one attempt.
    this.#attaching ??= this.#attachChannel(model).finally(() => {
      this.#attaching = undefined;
    });
    return this.#attaching;
  }

  async #attachChannel(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      logWith(this.#host.logger, 'warn', { err: error }, `consumer channel of "${this.queue}"`),
    );
    channel.on('close', () => this.#onChannelClosed(channel));
    this.#acks.set(
      channel,
      new ChannelAcks(channel, (error) =>
        logWith(this.#host.logger, 'debug', { err: error }, `acks on the closed channel of "${this.queue}"`),
      ),
    );
    try {
      await channel.prefetch(Math.max(1, this.#options.prefetch), false);
      this.#channel = channel;
      this.#unsettled.set(channel, 0);
      await channel.consume(this.queue, (message) => this.#onMessage(channel, message), {
        noAck: false,
        consumerTag: this.consumerTag,
      });
    } catch (error) {
      if (this.#channel === channel) this.#channel = undefined;
      await closeUntilGone(channel);
      throw error;
    }
  }

  /** The connection is gone; its channel with it. Unacked messages are requeued by the broker. */
  detach(): void {
    if (this.#channel) this.#markGone(this.#channel);
    this.#channel = undefined;
  }

  #goneSignal(channel: Channel): AbortSignal {
    let controller = this.#channelGone.get(channel);
    if (!controller) {
      controller = sharedAbortController();
      this.#channelGone.set(channel, controller);
    }
    return controller.signal;
  }

  #markGone(channel: Channel): void {
    this.#channelGone
      .get(channel)
      ?.abort(new Error('the consumer channel is gone; the broker redelivers the original'));
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    const channel = this.#channel;
    if (!channel) {
      this.#host.remove(this);
      return;
    }
    try {
      await channel.cancel(this.consumerTag);
    } catch (error) {
      logWith(this.#host.logger, 'debug', { err: error }, `cancelling consumer ${this.consumerTag}`);
    }
    // Deliveries already handed out may still be acked on this channel; close it once they are.
    if ((this.#unsettled.get(channel) ?? 0) === 0) await this.#closeChannel(channel);
  }

  /**
   * For a closing transport: cancels, then closes this consumer's channels cleanly. A channel close is
   * answered only after the broker has processed every ack sent before it on that channel, so acks sent just
   * before `close()` are never lost with the connection.
   */
  async shutDown(): Promise<void> {
    await this.cancel();
    const channels = new Set([...this.#unsettled.keys(), ...(this.#channel ? [this.#channel] : [])]);
    this.#channel = undefined;
    await Promise.all([...[...channels].map((channel) => this.#closeChannel(channel)), ...this.#closings.values()]);
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // basic.cancel from the broker: the queue was deleted or its node went away.
      this.#host.logger.warn(`the broker cancelled the consumer of "${this.queue}"; consuming again`);
      if (this.#channel === channel) {
        this.#channel = undefined;
        void this.#closeChannel(channel);
        this.#reattachLater();
      }
      return;
    }
    this.#unsettled.set(channel, (this.#unsettled.get(channel) ?? 0) + 1);
    this.#acks.get(channel)?.received(message);
    const delivery = new AmqpDelivery(message, channel, this.#deliveryContext);
    const unreadable = (message.properties as unknown as Record<symbol, UnreadableHeaders | undefined>)[
      UNREADABLE_HEADERS
    ];
    if (unreadable !== undefined) {
      this.#deadLetterUnreadable(delivery, unreadable);
      return;
    }
    if (delivery.needsCheckpoint) {
      void delivery.checkpoint();
      return;
    }
    try {
      this.#handler(delivery);
    } catch (error) {
      // The handler contract is to not throw; if it does, give the message back rather than hold a slot.
      logWith(this.#host.logger, 'error', { err: error }, `delivery handler of "${this.queue}" threw`);
      if (!delivery.settled) void delivery.nack({ requeue: true });
    }
  }

  /** A message whose headers cannot be read can never be handled: dead-letter it with the raw headers kept. */
  #deadLetterUnreadable(delivery: AmqpDelivery, unreadable: UnreadableHeaders): void {
    const error = `the message headers cannot be decoded: ${unreadable.reason}`;
    logWith(
      this.#host.logger,
      'warn',
      { err: error },
      `dead-lettering message ${String(delivery.properties.messageId)} from "${this.queue}"`,
    );
    void delivery.nack({
      requeue: false,
      headers: {
        [DEAD_LETTER_HEADERS.error]: error,
        [DEAD_LETTER_HEADERS.errorName]: 'MicroservicesError',
        [DEAD_LETTER_HEADERS.attempts]: delivery.deliveryCount,
        [DEAD_LETTER_HEADERS.reason]: 'undecodable',
        [DEAD_LETTER_HEADERS.queue]: this.queue,
        // The unreadable field table as it came, for whoever inspects the dead-letter queue.
        'x-ms-raw-headers': unreadable.raw,
      },
    });
  }

  #onSettled(channel: Channel): void {
    const left = (this.#unsettled.get(channel) ?? 1) - 1;
    this.#unsettled.set(channel, left);
    if (left === 0 && this.#cancelled) void this.#closeChannel(channel);
  }

  #onChannelClosed(channel: Channel): void {
    this.#markGone(channel);
    this.#unsettled.delete(channel);
    if (this.#cancelled && this.#unsettled.size === 0) this.#host.remove(this);
    if (this.#channel !== channel) return;
    this.#channel = undefined;
    // Closed by the broker while the connection lives on (e.g. PRECONDITION_FAILED): consume again.
    if (!this.#cancelled && this.#host.currentConnection()) this.#reattachLater();
  }

  /** Closes a channel once; concurrent callers share the close (and `shutDown` waits for all of them). */
  #closeChannel(channel: Channel): Promise<void> {
    let closing = this.#closings.get(channel);
    if (!closing) {
      this.#unsettled.delete(channel);
      // A close is answered after every frame sent before it: the acks of this turn go first.
      this.#acks.get(channel)?.flush();
      closing = closeUntilGone(channel).finally(() => {
        this.#closings.delete(channel);
        // A cancelled consumer stays known to the transport until its last channel is closed, so that a
        // closing transport still flushes acks sent after cancel().
        if (this.#cancelled && this.#unsettled.size === 0) this.#host.remove(this);
      });
      this.#closings.set(channel, closing);
    }
    return closing;
  }

  /** Closes the current channel (the broker shows no consumer on it) and consumes on a new one. */
  async restart(model: ChannelModel): Promise<void> {
    const stale = this.#channel;
    this.#channel = undefined;
    if (stale) await this.#closeChannel(stale);
    await this.attach(model);
  }

  /** Consumes again after a backoff, until it works, the consumer is cancelled or the transport closes. */
  attachLater(): void {
    this.#reattachLater();
  }

  #reattachLater(): void {
    if (this.#reattaching) return;
    this.#reattaching = true;
    void (async () => {
      try {
        for (let attempt = 1; !this.#cancelled && !this.#channel; attempt++) {
          await sleep(backoffDelay(attempt, REATTACH_BACKOFF), this.#host.closing);
          if (this.#channel) return;
          // No connection yet: keep waiting (the transport also re-attaches consumers when it reconnects).
          const model = this.#host.currentConnection();
          if (!model) continue;
          try {
            await this.attach(model);
            this.#host.logger.info(`consuming "${this.queue}" again`);
          } catch (error) {
            logWith(this.#host.logger, 'warn', { err: error }, `consuming "${this.queue}" again failed`);
          }
        }
      } catch {
        // The transport is closing.
      } finally {
        this.#reattaching = false;
      }
    })();
  }
}
