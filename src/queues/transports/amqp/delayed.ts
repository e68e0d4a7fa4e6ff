/**
 * Delayed delivery on RabbitMQ without a plugin (issue 14 part 4): a message for queue Q with a delay of D ms
 * is published, with confirms, to the bucket queue `Q.delay.D'` (D rounded up to two significant digits, so
 * varied delays share few buckets). The bucket has `x-message-ttl` D', no consumer, and dead-letters through
 * the default exchange back to Q, where the message arrives D' ms after it was published. Buckets are
 * durable (a persistent message survives a broker restart) and carry `x-expires`, so an idle one vanishes:
 * each process declares its bucket again at least every `REFRESH_MS`, and `x-expires` is the TTL plus twice
 * that, so a bucket never expires while it holds a message.
 */
import type { ChannelModel } from 'amqplib';
import { CODES, ERRORS } from '../../../errors.js';
import { withoutDelay } from '../core/delayed-publish.js';
import type { OutgoingMessage, PublishOptions } from '../transport.js';
import { checkAmqpName } from './topology.js';

/** How often a process declares a bucket it publishes to again (which resets its `x-expires` clock). */
const REFRESH_MS = 30_000;

/**
 * The delay a bucket holds for a requested delay: exact below 100 ms, else rounded up to two significant
 * digits (at most 10 % later, never earlier).
 * @example delayBucketMs(1234); // 1300
 */
export function delayBucketMs(delayMs: number): number {
  if (delayMs < 100) return Math.ceil(delayMs);
  const step = 10 ** (Math.floor(Math.log10(delayMs)) - 1);
  return Math.ceil(delayMs / step) * step;
}

/** @example delayBucketName('jobs', 1300); // 'jobs.delay.1300' */
export function delayBucketName(queue: string, bucketMs: number): string {
  return `${queue}.delay.${bucketMs}`;
}

/** What the delays need of the transport: its connection, a topology channel, and the confirmed publish. */
export interface AmqpDelayHooks {
  model(): Promise<ChannelModel>;
  assertQueue(model: ChannelModel, name: string, options: Record<string, unknown>): Promise<void>;
  /** Resolves when the queue exists; rejects with the broker's NOT_FOUND otherwise. */
  checkQueue(model: ChannelModel, name: string): Promise<void>;
  publish(queue: string, message: OutgoingMessage, options: PublishOptions): Promise<void>;
}

/**
 * @example
 * const delays = new AmqpDelays(hooks);
 * await delays.publish('jobs', message, 1500, {}); // arrives in 'jobs' no earlier than 1.5 s from now
 */
export class AmqpDelays {
  readonly #hooks: AmqpDelayHooks;
  /** When each bucket was last declared by this process. */
  readonly #declaredAt = new Map<string, number>();

  constructor(hooks: AmqpDelayHooks) {
    this.#hooks = hooks;
  }

  async publish(queue: string, message: OutgoingMessage, delayMs: number, options: PublishOptions): Promise<void> {
    const bucketMs = delayBucketMs(delayMs);
    const bucket = delayBucketName(queue, bucketMs);
    checkAmqpName('queue', bucket);
    await this.#declare(queue, bucket, bucketMs);
    try {
      await this.#hooks.publish(bucket, message, this.#sendOptions(options));
    } catch (error) {
      // The bucket expired or was deleted since this process declared it: declare it again, once.
      if ((error as { code?: unknown }).code !== CODES.MS_QUEUE_UNROUTABLE) throw error;
      this.#declaredAt.delete(bucket);
      await this.#declare(queue, bucket, bucketMs);
      await this.#hooks.publish(bucket, message, this.#sendOptions(options));
    }
  }

  /** The bucket publish keeps the timeout and the signal (a requeue copy is abandoned with its channel). */
  #sendOptions(options: PublishOptions): PublishOptions {
    return options.signal === undefined ? withoutDelay(options) : { ...withoutDelay(options), signal: options.signal };
  }

  async #declare(queue: string, bucket: string, bucketMs: number): Promise<void> {
    const last = this.#declaredAt.get(bucket);
    if (last !== undefined && Date.now() - last < REFRESH_MS) return;
    const model = await this.#hooks.model();
    try {
      await this.#hooks.checkQueue(model, queue);
    } catch (error) {
      // The bucket would dead-letter into nothing and RabbitMQ would drop the message then: refuse it now.
      throw ERRORS.MS_QUEUE_UNROUTABLE(`Unroutable: no queue "${queue}" to deliver the delayed message to`, {
        cause: error,
      });
    }
    await this.#hooks.assertQueue(model, bucket, {
      durable: true,
      messageTtl: bucketMs,
      deadLetterExchange: '',
      deadLetterRoutingKey: queue,
      expires: bucketMs + 2 * REFRESH_MS,
    });
    this.#declaredAt.set(bucket, Date.now());
  }
}
