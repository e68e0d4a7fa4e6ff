/**
 * The one delivery every broker's consumer hands out, in the spirit of kombu's virtual channel: the core owns
 * "exactly one of ack/nack takes effect", the delayed requeue (cancelled when the transport closes, so nothing
 * is published on a closed session) and the choice between requeue and dead-letter; the broker supplies the
 * primitives that talk to the server.
 */
import { sleep } from '../../../internal/backoff.js';
import type { Delivery, DeliveryInfo, MessageProperties, NackOptions } from '../transport.js';

const FALSE: Promise<boolean> = Promise.resolve(false);

/** What a broker does to settle one message; the core calls at most one of them, once. */
export interface SettlePrimitives {
  /** Removes the message from the queue; false when its connection or channel is gone. */
  ack(): Promise<boolean>;
  /** Puts the message back at once, counting the delivery (a native nack or a counted copy). */
  requeue(): Promise<boolean>;
  /**
   * A broker-native delayed requeue (JetStream `nak(delay)`, a move to the Redis delayed set). Without
   * it the core waits itself, keeping the message unacknowledged (so safe) meanwhile, then calls `requeue`.
   */
  requeueAfter?(delayMs: number): Promise<boolean>;
  /** Sends the message to its dead-letter queue with `headers` added (the error, the attempts), or drops it. */
  deadLetter(headers: Readonly<Record<string, unknown>>): Promise<boolean>;
  /** Extends the broker's ack deadline while the handler works. */
  touch?(): Promise<void>;
  /** False once the connection the message came on is gone: a delayed requeue is then not started. */
  isLive?(): boolean;
  /** Aborts when the transport closes; a delayed requeue still waiting is then abandoned. */
  readonly closing?: AbortSignal;
  /**
   * Called when a delayed requeue is abandoned (transport closed, connection gone). The message was never
   * acknowledged, so the broker delivers it again; the broker's consumer only releases its bookkeeping.
   */
  abandoned?(reason: string): void;
}

/** The message a delivery carries, as the broker decoded it. */
export interface DeliveryRecord {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly deliveryInfo: DeliveryInfo;
  readonly deliveryCount: number;
}

/**
 * A delivery over a broker's settle primitives.
 * @example
 * const delivery = new CoreDelivery(record, { ack, requeue, deadLetter, closing: transportClosed.signal });
 * await delivery.nack({ requeue: true, delayMs: 1000 }); // waits, then requeue(); a close() cancels the wait
 */
export class CoreDelivery implements Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly deliveryInfo: DeliveryInfo;
  readonly deliveryCount: number;
  readonly #primitives: SettlePrimitives;
  #settled = false;

  constructor(record: DeliveryRecord, primitives: SettlePrimitives) {
    this.body = record.body;
    this.properties = record.properties;
    this.deliveryInfo = record.deliveryInfo;
    this.deliveryCount = record.deliveryCount;
    this.#primitives = primitives;
  }

  get settled(): boolean {
    return this.#settled;
  }

  ack(): Promise<boolean> {
    if (!this.claim()) return FALSE;
    return this.#primitives.ack();
  }

  nack(options: NackOptions): Promise<boolean> {
    if (!this.claim()) return FALSE;
    if (!options.requeue) return this.#primitives.deadLetter(options.headers ?? {});
    const delayMs = options.delayMs ?? 0;
    if (delayMs <= 0) return this.#primitives.requeue();
    if (this.#primitives.requeueAfter) return this.#primitives.requeueAfter(delayMs);
    return Promise.resolve(this.#requeueLater(delayMs));
  }

  touch(): Promise<void> {
    if (this.#settled || !this.#primitives.touch) return Promise.resolve();
    return this.#primitives.touch();
  }

  /** Takes the one settlement; false when it was already taken. For broker-specific settlements (checkpoints). */
  protected claim(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }

  #requeueLater(delayMs: number): boolean {
    const primitives = this.#primitives;
    if (primitives.isLive && !primitives.isLive()) {
      primitives.abandoned?.('its connection is gone');
      return false;
    }
    // The caller is not kept waiting for the delay; the message keeps its prefetch slot until it is requeued,
    // which also stops a failing consumer from pulling in more work meanwhile.
    void sleep(delayMs, primitives.closing).then(
      () => primitives.requeue(),
      () => primitives.abandoned?.('the transport closed during the delay'),
    );
    return true;
  }
}

/**
 * Publishes a copy (a counted requeue, a dead-letter), then acknowledges the original: a crash in between
 * duplicates, never loses. When the copy fails, `keep` decides what becomes of the original.
 * @example await copyThenAck(() => publish(dlq, copy), () => channel.ack(message), () => nativeRequeue());
 */
export async function copyThenAck(
  copy: () => Promise<unknown>,
  ack: () => boolean | Promise<boolean>,
  keep: (error: unknown) => boolean | Promise<boolean>,
): Promise<boolean> {
  try {
    await copy();
  } catch (error) {
    return keep(error);
  }
  return ack();
}

/**
 * The properties of a dead-lettered copy: the received ones with the caller's headers (the error, the
 * attempts) added on top.
 * @example deadLetterProperties({ headers: { a: 1 } }, { 'x-error': 'boom' }); // { headers: { a: 1, 'x-error': 'boom' } }
 */
export function deadLetterProperties(
  received: MessageProperties,
  extra: Readonly<Record<string, unknown>>,
): MessageProperties {
  return { ...received, headers: { ...received.headers, ...extra } };
}
