/**
 * What a queue handler receives besides its payload: `context.message` (the seed's DeferredMessage, with the
 * body, properties and ack/reject/requeue), `context.rule`, `context.logger`, `context.attempt` and
 * `context.signal`.
 */
import type { Logger } from '../logging.js';
import type { Payload } from './codec.js';
import type { Delivery, DeliveryInfo, MessageProperties } from './transports/transport.js';

/** A handler: may return a value or a promise; a throw or rejection counts as a failure (retry, then dead-letter). */
export type QueueHandler<P = Payload> = (payload: P, context: HandlerContext<P>) => unknown;

/** A registered queue handler: the seed's `Rule`, whose string form is `<queue: NAME>`. */
export interface QueueRule<P = Payload> {
  readonly name: string;
  readonly handler: QueueHandler<P>;
  readonly autoack: boolean;
  /** The options given to `queue()` (unknown ones are refused: see docs/queues.md). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  toString(): string;
}

/**
 * The message as the handler sees it. Exactly one of ack/reject/requeue takes effect; each resolves false
 * when the message was already settled or its channel is gone (the broker then redelivers it).
 * @example context.message.headers.h1; await context.message.ack();
 */
export class QueueMessage<P = Payload> {
  readonly #delivery: Delivery;

  constructor(
    delivery: Delivery,
    /** The decoded payload (the handler's first argument). */
    readonly payload: P,
  ) {
    this.#delivery = delivery;
  }

  /** The raw body bytes. */
  get body(): Buffer {
    return this.#delivery.body;
  }

  get properties(): MessageProperties {
    return this.#delivery.properties;
  }

  get headers(): Readonly<Record<string, unknown>> {
    return this.#delivery.properties.headers ?? {};
  }

  get deliveryInfo(): DeliveryInfo {
    return this.#delivery.deliveryInfo;
  }

  get contentType(): string | undefined {
    return this.#delivery.properties.contentType;
  }

  get contentEncoding(): string | undefined {
    return this.#delivery.properties.contentEncoding;
  }

  get deliveryTag(): string | number {
    return this.#delivery.deliveryInfo.deliveryTag;
  }

  get redelivered(): boolean {
    return this.#delivery.deliveryInfo.redelivered;
  }

  /** 1 on the first delivery, then counts every redelivery. */
  get deliveryCount(): number {
    return this.#delivery.deliveryCount;
  }

  /** True once ack, reject or requeue has been called (by the handler or by the service). */
  get acknowledged(): boolean {
    return this.#delivery.settled;
  }

  /** @example await context.message.ack(); */
  ack(): Promise<boolean> {
    return this.#delivery.ack();
  }

  /**
   * Refuses the message. Without requeue it goes to the queue's dead-letter queue (the service declares one
   * per queue by default), with `x-reason: rejected`; with requeue it is delivered again.
   * @example await context.message.reject();
   */
  reject(requeue = false): Promise<boolean> {
    if (requeue) return this.#delivery.nack({ requeue: true });
    return this.#delivery.nack({ requeue: false, headers: { 'x-reason': 'rejected' } });
  }

  /** Gives the message back to be delivered again, at once. @example await context.message.requeue(); */
  requeue(): Promise<boolean> {
    return this.#delivery.nack({ requeue: true });
  }
}

/** The second argument of every handler. */
export interface HandlerContext<P = Payload> {
  readonly message: QueueMessage<P>;
  readonly rule: QueueRule<P>;
  readonly logger: Logger;
  /** 1 on the first try, then counts retries (the delivery count). */
  readonly attempt: number;
  /** Aborted when the handler's `timeoutMs` passes, or when the service stops and the drain time is over. */
  readonly signal: AbortSignal;
}
