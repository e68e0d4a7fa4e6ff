/**
 * Delayed delivery on NATS JetStream 2.9 (issue 14 part 4). The server has no scheduled messages before 2.12
 * (`Nats-Schedule`), so a delayed message is stored at once with an `Ms-Delay-Ms` header and held back on
 * its first delivery: a consumer that receives it before it is due (the server's store time plus the delay)
 * naks it with the time left (`nak(delay)`), without handing it to the handler, and the server redelivers it
 * then. The message sits in the file-backed stream all along, so it survives a restart of the server and of
 * every process. Each hold costs one delivery of the consumer's `maxDeliver`; `deliveryCount` leaves out the
 * holds this process made.
 */
import type { MsgHdrs } from '@nats-io/nats-core';
import type { NatsMessage } from './pulled-message.js';

export const DELAY_HEADER = 'Ms-Delay-Ms';

/** Adds the delay to the headers of a message about to be published. */
export function markDelayed(headers: MsgHdrs, delayMs: number): MsgHdrs {
  headers.set(DELAY_HEADER, String(delayMs));
  return headers;
}

/**
 * How many ms a delivered message is still to be held back: 0 when it has no delay or is due.
 * @example heldBackMs(message, Date.now()); // 740
 */
export function heldBackMs(message: NatsMessage, now: number): number {
  const delay = Number(message.headers?.get(DELAY_HEADER));
  if (!Number.isFinite(delay) || delay <= 0) return 0;
  const storedAt = message.info.timestampNanos / 1e6;
  return Math.max(0, Math.ceil(storedAt + delay - now));
}

const MAX_TRACKED = 10_000;

/**
 * The holds this process made, by stream sequence, so the first real delivery counts as delivery 1.
 * @example holds.add(message); … holds.take(message); // 1
 */
export class HeldDeliveries {
  readonly #counts = new Map<string, number>();

  add(message: NatsMessage): void {
    const key = `${message.info.stream}:${message.seq}`;
    // A message later handed to another process leaves its entry here: bounded, then forgotten at once.
    if (this.#counts.size >= MAX_TRACKED && !this.#counts.has(key)) this.#counts.clear();
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** How many times this process held the message back; forgets it. */
  take(message: NatsMessage): number {
    // Almost always empty: no key to build then.
    if (this.#counts.size === 0) return 0;
    const key = `${message.info.stream}:${message.seq}`;
    const count = this.#counts.get(key) ?? 0;
    this.#counts.delete(key);
    return count;
  }
}
