/**
 * Pulls a queue's messages from its JetStream consumers. Each pull asks for at most the free part of the
 * prefetch window (delivered-and-unsettled plus requested never exceeds it), so a consumer never holds more
 * unsettled messages than `prefetch` (the server keeps
 * counting AckWait for messages sitting in a client buffer, so over-fetching would redeliver them).
 * A failed pull (server restart, lost connection) is retried with backoff: that is the resubscribe.
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { backoffDelay, sleep } from '../../../internal/backoff.js';
import type { Logger } from '../../../logging.js';
import type { NatsSource } from './topology.js';

/** How long one pull waits for messages before the next is issued; the client's minimum is 1 s. */
const PULL_EXPIRES_MS = 5000;
/** With several sources sharing one window, pulls are short so that an idle source gives its slots back soon. */
const SHARED_PULL_EXPIRES_MS = 1000;
/** How long a small pull waits for more slots to free up, so that pulls come in batches under load. */
const COALESCE_MS = 5;

/** Counts unsettled and requested messages against the prefetch limit, shared by every source of one consumer. */
export class PrefetchWindow {
  #inFlight = 0;
  #requested = 0;
  #waiters: Array<{ readonly ready: () => boolean; readonly wake: () => void }> = [];

  constructor(readonly size: number) {}

  /** Delivered and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** How many more messages may be requested now. */
  get free(): number {
    return Math.max(0, this.size - this.#inFlight - this.#requested);
  }

  request(count: number): void {
    this.#requested += count;
  }

  /** A requested message arrived: it is now in flight. */
  arrived(): void {
    this.#requested -= 1;
    this.#inFlight += 1;
  }

  /** A request ended with `count` messages never delivered. */
  unrequest(count: number): void {
    this.#requested -= count;
    this.#wake();
  }

  /** A delivery was acked or nacked. */
  settled(): void {
    this.#inFlight -= 1;
    this.#wake();
  }

  /**
   * Resolves when a slot was freed and `ready()` holds (or after `maxWaitMs`, so a stop is noticed). One
   * timer per wait, not per settlement: under load a wait spans many settlements.
   */
  changed(maxWaitMs: number, ready: () => boolean = () => true): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        resolve();
      }, maxWaitMs);
      const entry = {
        ready,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(entry);
    });
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (waiter.ready()) waiter.wake();
      else this.#waiters.push(waiter);
    }
  }
}

export interface PullLoopOptions {
  readonly js: () => JetStreamClient;
  readonly source: NatsSource;
  readonly window: PrefetchWindow;
  readonly logger: Logger;
  /** Hands a message to the queue's handler; called only while the loop runs. */
  readonly dispatch: (message: JsMsg, source: NatsSource) => void;
  readonly reconnectDelay: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** How many sources share the window; each asks for at most its share so none starves the others. */
  readonly sourceCount: number;
  /** Resolves when the connection is up; requests made while it is down would only time out. */
  readonly whenConnected: () => Promise<void>;
}

/**
 * One source's pull loop; `stop()` ends it and gives back any message that arrives afterwards.
 * Pulls overlap: the next one is requested once half of the source's share is free again, while the
 * handlers still work on the rest, so the consumer does not idle for a round trip after every batch.
 */
export class PullLoop {
  #stopped = false;
  readonly #open = new Set<{ stop(): void }>();
  readonly #pulls = new Set<Promise<void>>();
  /** Messages this source asked for that have not arrived yet. */
  #requested = 0;
  #failures = 0;
  #backoff: Promise<void> | undefined;
  #consumer: Consumer | undefined;
  readonly done: Promise<void>;

  readonly #options: PullLoopOptions;

  constructor(options: PullLoopOptions) {
    this.#options = options;
    this.done = this.#run();
  }

  /** Ends the open pulls so that new ones are issued now (after a reconnect the old ones are dead). */
  interrupt(): void {
    for (const batch of this.#open) batch.stop();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.interrupt();
    return this.done;
  }

  async #run(): Promise<void> {
    const { window } = this.#options;
    const share = Math.ceil(window.size / this.#options.sourceCount);
    const threshold = Math.ceil(share / 2);
    const available = (): number => Math.min(window.free, share - this.#requested);
    // What the loop below waits for when it cannot pull yet: enough free slots for a full pull, or any when
    // nothing of this source's is on its way.
    const pullable = (): boolean => {
      const count = available();
      return count >= threshold || (count > 0 && this.#requested === 0);
    };
    while (!this.#stopped) {
      if (this.#backoff) {
        await this.#backoff;
        this.#backoff = undefined;
        continue;
      }
      await this.#options.whenConnected();
      if (this.#stopped) break;
      let count = available();
      if (count < threshold) {
        if (count === 0 || this.#requested > 0) {
          // A pull is open or the window is full: wait until settles or arrivals free enough slots.
          await window.changed(1000, pullable);
          continue;
        }
        if (window.inFlight > 0) {
          // Pulls of one or two messages cost a round trip each: give other deliveries a moment to settle too.
          await window.changed(COALESCE_MS);
          count = available();
          if (count === 0) continue;
        }
      }
      this.#startPull(count);
      // Lets a source woken by unrequest() take the freed slots before this one asks again.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(this.#pulls);
  }

  #startPull(count: number): void {
    this.#options.window.request(count);
    this.#requested += count;
    const pull = this.#pull(count).finally(() => this.#pulls.delete(pull));
    this.#pulls.add(pull);
  }

  async #pull(count: number): Promise<void> {
    const { js, source, window, logger, dispatch } = this.#options;
    let outstanding = count;
    let batch: { stop(): void } | undefined;
    try {
      this.#consumer ??= await js().consumers.get(source.stream, source.consumer);
      const expires = this.#options.sourceCount > 1 ? SHARED_PULL_EXPIRES_MS : PULL_EXPIRES_MS;
      const messages = await this.#consumer.fetch({ max_messages: count, expires });
      batch = messages;
      this.#open.add(messages);
      // stop() may have run while the pull was being set up.
      if (this.#stopped) messages.stop();
      for await (const message of messages) {
        outstanding -= 1;
        this.#requested -= 1;
        window.arrived();
        if (this.#stopped) {
          // Cancelled while the pull was open: give it back at once rather than after AckWait.
          message.nak();
          window.settled();
          continue;
        }
        dispatch(message, source);
      }
      this.#failures = 0;
    } catch (error) {
      // Looked up again next time: the consumer may have been re-created.
      this.#consumer = undefined;
      this.#failures += 1;
      const delay = backoffDelay(this.#failures, this.#options.reconnectDelay);
      logger.warn(`pull from ${source.stream}/${source.consumer} failed (${error}); retrying in ${delay} ms`);
      if (!this.#stopped) this.#backoff ??= sleep(delay);
    } finally {
      if (batch) this.#open.delete(batch);
      this.#requested -= outstanding;
      window.unrequest(outstanding);
    }
  }
}
