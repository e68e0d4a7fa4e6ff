/**
 * Request/reply on RabbitMQ with direct reply-to: the transport's publisher channel consumes the pseudo-queue
 * `amq.rabbitmq.reply-to` (no ack), requests published on that same channel carry
 * `reply_to: amq.rabbitmq.reply-to`, which the broker rewrites into an address naming this channel, and
 * a responder publishes its reply to that address through the default exchange. No queue is declared per
 * client. When the publisher channel is replaced (a reconnect, a channel error) the consumer is started on
 * the new one before anything is published on it; replies addressed to the old channel are lost, and their
 * calls time out.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../../logging.js';
import type { ReplyHandler, ReplyInbox } from '../transport.js';
import { fromAmqpProperties } from './codec.js';

/** RabbitMQ's direct reply-to pseudo-queue. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * The direct reply-to consumer of one transport.
 * @example await replies.attach(publisherChannel); // on every new publisher channel, before publishing
 */
export class AmqpReplies {
  readonly #logger: Logger;
  #onReply: ReplyHandler | undefined;
  #channel: Channel | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts receiving replies on `channel` (the current publisher channel, if any). */
  async open(onReply: ReplyHandler, channel: Channel | undefined): Promise<ReplyInbox> {
    this.#onReply = onReply;
    if (channel) await this.attach(channel);
    return {
      address: DIRECT_REPLY_TO,
      close: async () => {
        this.#onReply = undefined;
        this.#channel = undefined;
      },
    };
  }

  /** Consumes the reply pseudo-queue on a (new) publisher channel; a no-op until a client asked for replies. */
  async attach(channel: Channel): Promise<void> {
    if (!this.#onReply || this.#channel === channel) return;
    this.#channel = channel;
    try {
      await channel.consume(DIRECT_REPLY_TO, (message) => this.#deliver(message), { noAck: true });
    } catch (error) {
      if (this.#channel === channel) this.#channel = undefined;
      throw error;
    }
  }

  #deliver(message: ConsumeMessage | null): void {
    if (message === null) {
      this.#logger.warn(
        'the broker cancelled the direct reply-to consumer; replies are lost until the channel is replaced',
      );
      return;
    }
    this.#onReply?.({ body: message.content, properties: fromAmqpProperties(message.properties) });
  }
}
