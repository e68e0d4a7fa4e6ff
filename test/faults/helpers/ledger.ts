/**
 * The message ledger of the fault tests (RELIABILITY.md §4.2): the producer records which ids the broker
 * confirmed, the consumer records every delivery, and the verdict is computed from the two sets: lost =
 * confirmed − consumed, duplicates = deliveries − distinct ids.
 */

import type { Delivery, Subscription, Transport } from '../../../src/queues/transports/transport.js';

export interface LedgerDelivery {
  readonly id: string;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
}

export interface LedgerVerdict {
  readonly attempted: number;
  readonly confirmed: number;
  readonly rejected: number;
  /** Attempted publishes that neither confirmed nor rejected. */
  readonly pending: number;
  readonly delivered: number;
  readonly distinct: number;
  /** Confirmed ids never delivered. */
  readonly lost: readonly string[];
  readonly duplicates: number;
  /** Delivered ids whose publish was not confirmed (rejected or timed out, yet the broker had them). */
  readonly unconfirmedButDelivered: number;
}

export class Ledger {
  private readonly attempted = new Set<string>();
  private readonly confirmedIds = new Set<string>();
  private readonly rejectedIds = new Map<string, string>();
  readonly deliveries: LedgerDelivery[] = [];
  private readonly consumedIds = new Set<string>();

  attempt(id: string): void {
    this.attempted.add(id);
  }

  confirm(id: string): void {
    this.confirmedIds.add(id);
  }

  reject(id: string, reason: string): void {
    this.rejectedIds.set(id, reason);
  }

  deliver(delivery: LedgerDelivery): void {
    this.deliveries.push(delivery);
    this.consumedIds.add(delivery.id);
  }

  /** Publishes `id` through `publish` and records the outcome. */
  async publish(id: string, publish: () => Promise<void>): Promise<void> {
    this.attempt(id);
    try {
      await publish();
      this.confirm(id);
    } catch (error) {
      this.reject(id, (error as Error).message);
    }
  }

  hasConsumed(id: string): boolean {
    return this.consumedIds.has(id);
  }

  get consumedCount(): number {
    return this.consumedIds.size;
  }

  get confirmedCount(): number {
    return this.confirmedIds.size;
  }

  /** True once every confirmed id has been delivered at least once. */
  get complete(): boolean {
    for (const id of this.confirmedIds) if (!this.consumedIds.has(id)) return false;
    return true;
  }

  rejectionReasons(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const reason of this.rejectedIds.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    return counts;
  }

  verdict(): LedgerVerdict {
    const lost = [...this.confirmedIds].filter((id) => !this.consumedIds.has(id));
    const unconfirmedButDelivered = [...this.consumedIds].filter((id) => !this.confirmedIds.has(id)).length;
    return {
      attempted: this.attempted.size,
      confirmed: this.confirmedIds.size,
      rejected: this.rejectedIds.size,
      pending: this.attempted.size - this.confirmedIds.size - this.rejectedIds.size,
      delivered: this.deliveries.length,
      distinct: this.consumedIds.size,
      lost,
      duplicates: this.deliveries.length - this.consumedIds.size,
      unconfirmedButDelivered,
    };
  }

  /** One line for the test output, so that duplicates are reported even when they are allowed. */
  summary(label: string): string {
    const v = this.verdict();
    return `${label}: attempted ${v.attempted}, confirmed ${v.confirmed}, rejected ${v.rejected}, pending ${v.pending}, delivered ${v.delivered} (${v.distinct} distinct), lost ${v.lost.length}, duplicates ${v.duplicates}, unconfirmed-but-delivered ${v.unconfirmedButDelivered}`;
  }
}

/** Polls until `predicate` holds; throws naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Publishes `count` ledger messages with at most `window` unconfirmed at once (a producer that respects
 * backpressure), calling `onProgress` after each settles.
 */
export async function publishWindowed(
  ledger: Ledger,
  ids: readonly string[],
  window: number,
  publish: (id: string, index: number) => Promise<void>,
  onProgress: (settled: number) => void = () => {},
  /** Stops taking new ids once true (a producer that runs until a fault scenario is over). */
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let settled = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length && !shouldStop()) {
      const index = next++;
      const id = ids[index] as string;
      await ledger.publish(id, () => publish(id, index));
      onProgress(++settled);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, ids.length) }, worker));
}

/** `count` unique message ids with a readable prefix. */
export function messageIds(prefix: string, count: number): string[] {
  const run = Math.random().toString(36).slice(2, 8);
  return Array.from({ length: count }, (_, i) => `${prefix}-${run}-${i}`);
}

/** Consumes `queue` into the ledger, acking each delivery (after `handleMs`, when given). */
export function consumeIntoLedger(
  transport: Transport,
  queue: string,
  ledger: Ledger,
  options: { prefetch?: number; handleMs?: number } = {},
): Promise<Subscription> {
  const handle = async (delivery: Delivery): Promise<void> => {
    if (options.handleMs) await new Promise((resolve) => setTimeout(resolve, options.handleMs));
    ledger.deliver({
      id: delivery.properties.messageId ?? '',
      redelivered: delivery.deliveryInfo.redelivered,
      deliveryCount: delivery.deliveryCount,
    });
    await delivery.ack();
  };
  return transport.consume(queue, (delivery) => void handle(delivery), { prefetch: options.prefetch ?? 100 });
}
