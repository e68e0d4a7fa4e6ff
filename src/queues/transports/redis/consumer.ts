/**
 * One subscription to a queue's stream: a member of the queue's consumer group with its own blocking
 * connection. A single loop keeps at most `prefetch` deliveries unsettled and, in turn, (1) takes over
 * entries idle past min-idle (XAUTOCLAIM: crashed consumers, released nacks), (2) re-reads its own pending
 * entries after a start or reconnect, (3) blocks on XREADGROUP `>` for new ones. A timer renews the lease
 * of every unsettled entry so a slow handler is not mistaken for a crashed one.
 */

import { backoffDelay, sleep } from '../../../internal/backoff.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { DeliveryHandler, NackOptions, ReconnectOptions, Subscription } from '../transport.js';
import type { StreamEntry } from './codec.js';
import { reencodeEntry } from './codec.js';
import { commandTimeout, connectClient, type RedisClient, unlessClosed } from './connection.js';
import { RETRY_LATER, retryArguments } from './delayed.js';
import { RedisDelivery, type RedisSettler } from './delivery.js';
import { redisKeys } from './names.js';
import { autoClaim, type CountedEntry, type ReadTarget, readNew, readOwnPending } from './reads.js';
import { PRUNE_CONSUMERS, runScript, SET_IDLE, SETTLE } from './scripts.js';
import type { RedisStreamSettings } from './settings.js';
import { AckBatcher } from './settle-batch.js';

/** What a consumer needs from its transport. */
export interface ConsumerEnvironment {
  readonly control: RedisClient;
  /** A fresh connection for this consumer's blocking reads. */
  openReader(): RedisClient;
  readonly settings: RedisStreamSettings;
  readonly reconnect: ReconnectOptions | undefined;
  readonly logger: Logger;
  /** Bound on every ack/nack/touch round trip. */
  readonly commandTimeoutMs: number;
  /** The dead-letter stream key of a queue, or undefined to drop. */
  deadLetterStream(queue: string): Promise<string | undefined>;
  /** Creates the queue's group (and stream) when missing; called after a NOGROUP error. */
  ensureGroup(queue: string): Promise<void>;
  /** True once the transport is closed: settlements then resolve false without a round trip. */
  readonly closed: boolean;
}

/** The most entries one read asks for when the prefetch is unlimited. */
const UNLIMITED_BATCH = 100;
/** Departed consumers are looked for this often, and removed after being idle (with nothing pending) this long. */
const PRUNE_EVERY_MS = 60_000;

/** How long cancel() waits for a read or claim in flight, and close() for the release (twice that). */
const CANCEL_WAIT_MS = 1000;

function isMissingGroup(error: unknown): boolean {
  return error instanceof Error && /NOGROUP|no such key/i.test(error.message);
}

export class RedisConsumer implements Subscription, RedisSettler {
  readonly consumerTag: string;
  readonly queue: string;
  readonly #target: ReadTarget;
  readonly #environment: ConsumerEnvironment;
  readonly #handler: DeliveryHandler;
  readonly #prefetch: number;
  readonly #reader: RedisClient;
  /** Sends the acks of one event-loop turn in one fenced script call. */
  readonly #acks: AckBatcher;
  /** The queue's delayed set, where a retry with backoff waits (delayed.ts). */
  readonly #delayedKey: string;
  /** Handed to the handler, not yet settled: these count against the prefetch and get their lease renewed. */
  readonly #inFlight = new Map<string, RedisDelivery>();
  /** Acked or dead-lettered, reply pending: a claim in the meantime must not hand them out again. */
  readonly #settling = new Set<string>();
  #cancelled = false;
  #readOwnPending = true;
  #pendingCursor = '-';
  #claimCursor = '0-0';
  #lastClaimAt = 0;
  #lastPruneAt = Date.now();
  #claimRequested = false;
  #readerId: number | undefined;
  #blocking = false;
  #slotFreed: (() => void) | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(
    environment: ConsumerEnvironment,
    queue: string,
    stream: string,
    handler: DeliveryHandler,
    prefetch: number,
    consumerTag: string,
  ) {
    this.#environment = environment;
    this.queue = queue;
    this.consumerTag = consumerTag;
    this.#target = { stream, group: environment.settings.group, consumer: consumerTag };
    this.#handler = handler;
    // 0 (or less) means no limit, as in AMQP; reads then fetch at most UNLIMITED_BATCH entries at a time.
    this.#prefetch = prefetch > 0 ? prefetch : Number.POSITIVE_INFINITY;
    this.#reader = environment.openReader();
    this.#acks = new AckBatcher(environment.control, this.#target, environment.commandTimeoutMs);
    this.#delayedKey = redisKeys(environment.settings.prefix).delayed(queue);
    this.#reader.on('close', () => {
      // The reply of a read in flight may be lost; those entries sit in our pending list, so look there first.
      this.#readerId = undefined;
      this.#readOwnPending = true;
    });
    this.#reader.on('error', (error: Error) => logWith(environment.logger, 'debug', { err: error }, 'redis reader'));
  }

  /** Starts the read loop and the lease renewal. */
  start(): void {
    this.#loop = this.#run();
    const every = this.#environment.settings.leaseRenewMs;
    if (every > 0) this.#renewTimer = setInterval(() => void this.#renewLeases(), every);
  }

  /** After the server came back (maybe restarted): look at our pending list again, then claim. */
  resync(): void {
    this.#readOwnPending = true;
    this.#pendingCursor = '-';
    this.#claimCursor = '0-0';
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#slotFreed?.();
    this.#reader.disconnect();
    // While the server is down the loop may wait on a queued command: do not let close() hang on it.
    const stopWaiting = new AbortController();
    await Promise.race([this.#loop, sleep(CANCEL_WAIT_MS, stopWaiting.signal).catch(() => undefined)]);
    stopWaiting.abort();
  }

  /**
   * Cancels, stops renewing, and releases everything still held so another consumer takes it over at once
   * instead of after min-idle (what AMQP does with a closed channel's unacked deliveries).
   */
  async shutdown(): Promise<void> {
    await this.cancel();
    clearInterval(this.#renewTimer);
    const ids = [...this.#inFlight.keys()];
    if (ids.length === 0) return;
    const release = this.#setIdle(this.#releaseIdleMs(), ids);
    await commandTimeout(release, CANCEL_WAIT_MS * 2, 'the release on close').catch(() => undefined);
  }

  async ack(delivery: RedisDelivery): Promise<boolean> {
    this.#settling.add(delivery.id);
    this.#forget(delivery);
    if (this.#environment.closed) {
      this.#settling.delete(delivery.id);
      return false;
    }
    try {
      if (await this.#acks.ack(delivery.id)) return true;
      this.#environment.logger.warn(
        `redis: ${delivery.id} on ${this.queue} was taken over by another consumer; settlement ignored`,
      );
    } catch (error) {
      logWith(
        this.#environment.logger,
        'warn',
        { err: error },
        `redis: could not settle ${delivery.id} on ${this.queue}`,
      );
    } finally {
      this.#settling.delete(delivery.id);
    }
    return false;
  }

  async nack(delivery: RedisDelivery, options: NackOptions): Promise<boolean> {
    if (!options.requeue) {
      this.#settling.add(delivery.id);
      this.#forget(delivery);
      const dead = this.#environment.closed
        ? undefined
        : await this.#environment.deadLetterStream(this.queue).catch(() => undefined);
      return this.#settle(delivery, dead ?? '', dead ? reencodeEntry(delivery.entry, options.headers) : []);
    }
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0) {
      this.#settling.add(delivery.id);
      this.#forget(delivery);
      return this.#retryLater(delivery, delayMs);
    }
    this.#forget(delivery);
    if (this.#environment.closed) return false;
    return this.#release([delivery.id]);
  }

  async touch(delivery: RedisDelivery): Promise<void> {
    const renewal = commandTimeout(this.#setIdle(0, [delivery.id]), this.#environment.commandTimeoutMs, 'a touch');
    const lost = await renewal.catch(() => []);
    if (lost.length > 0) this.#environment.logger.warn(`redis: lease of ${delivery.id} was taken over`);
  }

  #forget(delivery: RedisDelivery): void {
    this.#inFlight.delete(delivery.id);
    this.#slotFreed?.();
  }

  async #settle(delivery: RedisDelivery, deadStream: string, fields: (string | Buffer)[]): Promise<boolean> {
    if (this.#environment.closed) {
      this.#settling.delete(delivery.id);
      return false;
    }
    const { control, commandTimeoutMs, logger } = this.#environment;
    const { stream, group, consumer } = this.#target;
    try {
      const done = await commandTimeout(
        runScript(control, SETTLE, [stream, deadStream], [group, consumer, delivery.id, ...fields]),
        commandTimeoutMs,
        'a settlement',
      );
      if (done === 1) return true;
      logger.warn(`redis: ${delivery.id} on ${this.queue} was taken over by another consumer; settlement ignored`);
    } catch (error) {
      logWith(logger, 'warn', { err: error }, `redis: could not settle ${delivery.id} on ${this.queue}`);
    } finally {
      this.#settling.delete(delivery.id);
    }
    return false;
  }

  /**
   * A retry with backoff: the entry moves to the queue's delayed set (delayed.ts) in one fenced script, and
   * the promoters bring it back once due. The wait is on the server, so it survives this process.
   */
  async #retryLater(delivery: RedisDelivery, delayMs: number): Promise<boolean> {
    const { control, commandTimeoutMs, logger, closed } = this.#environment;
    try {
      if (closed) return false;
      const { stream, group, consumer } = this.#target;
      const args = retryArguments(group, consumer, delivery.entry, delivery.deliveryCount, delayMs);
      const done = await commandTimeout(
        runScript(control, RETRY_LATER, [stream, this.#delayedKey], args),
        commandTimeoutMs,
        'a delayed requeue',
      );
      if (done === 1) return true;
      logger.warn(`redis: ${delivery.id} on ${this.queue} was taken over by another consumer; retry ignored`);
    } catch (error) {
      // The entry stays pending on this consumer: claimed again after min-idle, so delayed, not lost.
      logWith(logger, 'warn', { err: error }, `redis: could not delay the retry of ${delivery.id} on ${this.queue}`);
    } finally {
      this.#settling.delete(delivery.id);
    }
    return false;
  }

  /** Makes entries claimable now (their delivery counter is bumped by whoever claims them) and claims. */
  async #release(ids: string[]): Promise<boolean> {
    try {
      const lost = await commandTimeout(
        this.#setIdle(this.#releaseIdleMs(), ids),
        this.#environment.commandTimeoutMs,
        'a requeue',
      );
      this.#requestClaim();
      return lost.length === 0;
    } catch (error) {
      logWith(this.#environment.logger, 'warn', { err: error }, `redis: could not requeue ${ids.join(',')}`);
      return false;
    }
  }

  #releaseIdleMs(): number {
    return this.#environment.settings.minIdleMs * 2;
  }

  async #setIdle(idleMs: number, ids: readonly string[]): Promise<string[]> {
    const { stream, group, consumer } = this.#target;
    const lost = await runScript(this.#environment.control, SET_IDLE, [stream], [group, consumer, idleMs, ...ids]);
    return Array.isArray(lost) ? lost.map(String) : [];
  }

  async #renewLeases(): Promise<void> {
    const ids = [...this.#inFlight.keys()];
    if (this.#renewing || ids.length === 0 || this.#environment.closed) return;
    this.#renewing = true;
    try {
      const lost = await this.#setIdle(0, ids);
      if (lost.length > 0) this.#environment.logger.warn(`redis: leases lost on ${this.queue}: ${lost.join(',')}`);
    } catch (error) {
      logWith(this.#environment.logger, 'debug', { err: error }, 'redis: lease renewal failed');
    } finally {
      this.#renewing = false;
    }
  }

  /** Wakes the loop for a claim now, interrupting its blocking read (CLIENT UNBLOCK). */
  #requestClaim(): void {
    this.#claimRequested = true;
    if (this.#blocking && this.#readerId !== undefined && !this.#environment.closed) {
      this.#environment.control.call('CLIENT', 'UNBLOCK', this.#readerId).catch(() => undefined);
    }
  }

  #freeSlots(): number {
    return Math.min(UNLIMITED_BATCH, this.#prefetch - this.#inFlight.size);
  }

  #waitForSlot(): Promise<void> {
    return new Promise((resolve) => {
      this.#slotFreed = () => {
        this.#slotFreed = undefined;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#cancelled) {
      if (this.#freeSlots() <= 0) {
        await this.#waitForSlot();
        continue;
      }
      try {
        await this.#step();
        failures = 0;
      } catch (error) {
        if (this.#cancelled) break;
        if (isMissingGroup(error)) {
          await this.#environment.ensureGroup(this.queue).catch(() => undefined);
          continue;
        }
        if (this.#reader.status === 'end' && this.#environment.reconnect?.enabled === false) {
          this.#environment.logger.error(`redis: consumer of ${this.queue} stopped: the connection is gone`);
          break;
        }
        failures += 1;
        this.#readOwnPending = true;
        logWith(this.#environment.logger, 'warn', { err: error }, `redis: consumer of ${this.queue} retries`);
        await sleep(backoffDelay(failures, { initialDelayMs: 100, maxDelayMs: 5000 }));
      }
    }
  }

  async #step(): Promise<void> {
    const free = this.#freeSlots();
    const { control, settings } = this.#environment;
    const claimDue = Date.now() - this.#lastClaimAt >= settings.claimIntervalMs;
    if (claimDue || this.#claimRequested) {
      this.#claimRequested = false;
      this.#lastClaimAt = Date.now();
      const claim = await autoClaim(control, this.#target, settings.minIdleMs, this.#claimCursor, free, this.#known());
      this.#claimCursor = claim.cursor;
      if (claim.deleted.length > 0) {
        this.#environment.logger.warn(`redis: ${claim.deleted.length} pending entries of ${this.queue} were deleted`);
      }
      this.#deliver(claim.entries);
      await this.#pruneDepartedConsumers();
      return;
    }
    if (this.#readOwnPending) {
      const page = await readOwnPending(control, this.#target, this.#pendingCursor, free, this.#known());
      if (page.missing.length > 0) await control.call('XACK', this.#target.stream, this.#target.group, ...page.missing);
      if (page.cursor === undefined) {
        this.#readOwnPending = false;
        this.#pendingCursor = '-';
      } else {
        this.#pendingCursor = page.cursor;
      }
      this.#deliver(page.entries);
      return;
    }
    await this.#readBlocking(free);
  }

  async #pruneDepartedConsumers(): Promise<void> {
    if (Date.now() - this.#lastPruneAt < PRUNE_EVERY_MS) return;
    this.#lastPruneAt = Date.now();
    const idleMs = Math.max(PRUNE_EVERY_MS, this.#environment.settings.minIdleMs * 10);
    const { stream, group } = this.#target;
    const removed = Number(await runScript(this.#environment.control, PRUNE_CONSUMERS, [stream], [group, idleMs]));
    if (removed > 0) this.#environment.logger.debug(`redis: removed ${removed} departed consumers of ${this.queue}`);
  }

  async #readBlocking(free: number): Promise<void> {
    if (this.#cancelled) return;
    await connectClient(this.#reader);
    if (this.#readerId === undefined) this.#readerId = Number(await this.#reader.call('CLIENT', 'ID'));
    if (this.#claimRequested) return;
    this.#blocking = true;
    try {
      const read = readNew(this.#reader, this.#target, free, this.#environment.settings.claimIntervalMs);
      this.#deliver(await unlessClosed(this.#reader, read));
    } finally {
      this.#blocking = false;
    }
  }

  #known(): Set<string> {
    return new Set([...this.#inFlight.keys(), ...this.#settling]);
  }

  #deliver(entries: readonly CountedEntry[]): void {
    const now = Date.now();
    for (const { entry, deliveryCount } of entries) {
      // Read after cancel: leave it pending; a claim (ours after a resubscribe, or another consumer's) gets it.
      if (this.#cancelled) return;
      if (this.#inFlight.has(entry.id) || this.#settling.has(entry.id)) continue;
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        void this.#dropExpired(entry);
        continue;
      }
      const delivery = new RedisDelivery(entry, deliveryCount, this.consumerTag, this);
      this.#inFlight.set(entry.id, delivery);
      try {
        this.#handler(delivery);
      } catch (error) {
        // The handler owns the delivery; a throw does not settle it (the service decides), it is only logged.
        logWith(this.#environment.logger, 'error', { err: error }, `redis: handler of ${this.queue} threw`);
      }
    }
  }

  async #dropExpired(entry: StreamEntry): Promise<void> {
    const { stream, group, consumer } = this.#target;
    await runScript(this.#environment.control, SETTLE, [stream, ''], [group, consumer, entry.id]).catch(
      () => undefined,
    );
  }
}
