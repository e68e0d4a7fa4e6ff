/**
 * Pulls a queue's messages from its JetStream consumers. Each pull asks for at most the free part of the
 * prefetch window (delivered-and-unsettled plus requested never exceeds it), so a consumer never holds more
 * unsettled messages than `prefetch` (the server keeps
 * counting AckWait for messages sitting in a client buffer, so over-fetching would redeliver them).
 * A failed pull (server restart, lost connection) is retried with backoff: that is the resubscribe.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { backoffDelay, sleep } from '../../../internal/backoff.js';
import { withTimeout } from '../../../internal/race.js';
import type { Logger } from '../../../logging.js';
import { PullInbox, type PullInboxEvents } from './pull-inbox.js';
import type { NatsMessage, PulledMessage } from './pulled-message.js';
import type { NatsSource } from './topology.js';

/** How long one pull waits for messages before the next is issued; the client's minimum is 1 s. */
const PULL_EXPIRES_MS = 5000;
/** With several sources sharing one window, pulls are short so that an idle source gives its slots back soon. */
const SHARED_PULL_EXPIRES_MS = 1000;
/** How long stop() waits for dropped inboxes to drain. */
const DRAIN_WAIT_MS = 2000;
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

  /** Requested and not yet arrived. */
  get requested(): number {
    return this.#requested;
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
    this.wake();
  }

  /** A delivery was acked or nacked. */
  settled(): void {
    this.#inFlight -= 1;
    this.wake();
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

  /** Lets every waiter check its condition again (after a stop or a failure, with no slot freed). */
  wake(): void {
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
  /** The live connection; throws while there is none. */
  readonly connection: () => NatsConnection;
  /** A fresh inbox subject (the client's `createInbox`). */
  readonly createInbox: () => string;
  readonly source: NatsSource;
  readonly window: PrefetchWindow;
  readonly logger: Logger;
  /** Hands a message to the queue's handler; called only while the loop runs. */
  readonly dispatch: (message: NatsMessage, source: NatsSource) => void;
  readonly reconnectDelay: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** How many sources share the window; each asks for at most its share so none starves the others. */
  readonly sourceCount: number;
  /** Resolves when the connection is up; requests made while it is down would only time out. */
  readonly whenConnected: () => Promise<void>;
  /** How long one pull stays open on the server; by default 5 s, 1 s with several sources. */
  readonly expiresMs?: number;
}

/**
 * One source's pull loop on its own inbox (pull-inbox.ts); `stop()` ends it and gives back any message that
 * arrives afterwards. A new pull is sent as soon as the last one is fully delivered or ended and half of the
 * source's share is free, while the handlers still work on the rest.
 */
export class PullLoop {
  #stopped = false;
  #inbox: PullInbox | undefined;
  /** Inboxes given up and still draining; stop() waits for them. */
  readonly #draining = new Set<Promise<void>>();
  /** Messages this source asked for that have not arrived yet. */
  #requested = 0;
  #failures = 0;
  #backoff: Promise<void> | undefined;
  readonly done: Promise<void>;

  readonly #options: PullLoopOptions;
  readonly #events: PullInboxEvents;

  constructor(options: PullLoopOptions) {
    this.#options = options;
    this.#events = {
      delivered: (message) => this.#delivered(message),
      unrequested: (message) => this.#giveBack(message),
      ended: (undelivered, outcome) => this.#ended(undelivered, outcome),
    };
    this.done = this.#run();
  }

  /** Drops the inbox and its open pull, so a new one is sent now (after a reconnect the server forgot it). */
  interrupt(): void {
    const inbox = this.#inbox;
    if (!inbox) return;
    this.#inbox = undefined;
    this.#release(this.#close(inbox));
  }

  #close(inbox: PullInbox): number {
    const left = inbox.close();
    const drained = inbox.drained.finally(() => this.#draining.delete(drained));
    this.#draining.add(drained);
    return left;
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.interrupt();
    // Wakes the loop if it waits on a full window.
    this.#options.window.wake();
    return this.done;
  }

  async #run(): Promise<void> {
    const { window } = this.#options;
    const share = Math.ceil(window.size / this.#options.sourceCount);
    const threshold = Math.ceil(share / 2);
    const available = (): number => Math.min(window.free, share - this.#requested);
    // What the loop waits for when it cannot pull yet: the open pull ended and a slot is free.
    const pullable = (): boolean => this.#stopped || (this.#requested === 0 && available() > 0);
    while (!this.#stopped) {
      if (this.#backoff) {
        await this.#backoff;
        this.#backoff = undefined;
        continue;
      }
      await this.#options.whenConnected();
      if (this.#stopped) break;
      let count = available();
      if (this.#requested > 0 || count === 0) {
        await window.changed(1000, pullable);
        continue;
      }
      if (count < threshold && window.inFlight > 0) {
        // Pulls of one or two messages cost a round trip each: give other deliveries a moment to settle too.
        await window.changed(COALESCE_MS);
        count = available();
        if (count === 0 || this.#requested > 0 || this.#stopped) continue;
      }
      this.#pull(count);
      // Lets a source woken by unrequest() take the freed slots before this one asks again.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.#drained();
  }

  /**
   * Waits for the dropped inboxes to drain, so that what they still receive is given back before the
   * connection closes; at most `DRAIN_WAIT_MS`, since a drain waits for the server and the link may be down.
   */
  async #drained(): Promise<void> {
    if (this.#draining.size === 0) return;
    // A drain that outlives the wait is left to finish (or fail) on its own.
    await withTimeout(Promise.all(this.#draining), DRAIN_WAIT_MS, () => 'drain wait over').catch(() => undefined);
  }

  #pull(count: number): void {
    const { source, window } = this.#options;
    const expires =
      this.#options.expiresMs ?? (this.#options.sourceCount > 1 ? SHARED_PULL_EXPIRES_MS : PULL_EXPIRES_MS);
    try {
      this.#inbox ??= new PullInbox(this.#options.connection(), this.#options.createInbox(), source, this.#events);
      this.#inbox.request(count, expires);
    } catch (error) {
      this.interrupt();
      this.#fail(error);
      return;
    }
    window.request(count);
    this.#requested += count;
  }

  #delivered(message: PulledMessage): void {
    this.#requested -= 1;
    this.#options.window.arrived();
    if (this.#stopped) {
      // Cancelled while the pull was open: give it back at once rather than after AckWait.
      this.#giveBack(message);
      this.#options.window.settled();
      return;
    }
    try {
      this.#options.dispatch(message, this.#options.source);
    } catch (error) {
      // Runs inside the client's socket reader: a throw must not reach it. Not handed out: give it back.
      this.#options.logger.error(`could not hand out a message of ${this.#options.source.stream} (${error})`);
      this.#giveBack(message);
      this.#options.window.settled();
    }
  }

  #ended(undelivered: number, outcome: { readonly failure?: Error }): void {
    if (outcome.failure) {
      // Whatever the old request may still send must not count against a new one: a new inbox for it.
      const inbox = this.#inbox;
      this.#inbox = undefined;
      if (inbox) this.#close(inbox);
    }
    this.#release(undelivered);
    if (outcome.failure) this.#fail(outcome.failure);
    else this.#failures = 0;
  }

  /** Gives the window back the slots of messages that will not come. */
  #release(undelivered: number): void {
    this.#requested -= undelivered;
    this.#options.window.unrequest(undelivered);
  }

  #giveBack(message: PulledMessage): void {
    try {
      message.nak();
    } catch {
      // The connection is gone: the server redelivers after AckWait.
    }
  }

  #fail(error: unknown): void {
    const { source, logger } = this.#options;
    this.#failures += 1;
    const delay = backoffDelay(this.#failures, this.#options.reconnectDelay);
    logger.warn(`pull from ${source.stream}/${source.consumer} failed (${error}); retrying in ${delay} ms`);
    if (!this.#stopped) this.#backoff ??= sleep(delay);
    // Wakes the loop if it waits on the window, so it starts the backoff now.
    this.#options.window.wake();
  }
}
