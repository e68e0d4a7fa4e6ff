/**
 * Pulls a queue's messages from its JetStream consumers. Each pull asks for exactly the free part of the
 * prefetch window, so a consumer never holds more unsettled messages than `prefetch` (the server keeps
 * counting AckWait for messages sitting in a client buffer, so over-fetching would redeliver them).
 * A failed pull (server restart, lost connection) is retried with backoff: that is the resubscribe.
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../../logging.js';
import { backoffDelay, sleep } from './backoff.js';
import type { NatsSource } from './nats-topology.js';

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
  #waiters: Array<() => void> = [];

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

  /** Resolves when a slot may have been freed (or after `maxWaitMs`, so a stop is noticed). */
  changed(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
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

/** One source's pull loop; `stop()` ends it and gives back any message that arrives afterwards. */
export class PullLoop {
  #stopped = false;
  #current: { stop(): void } | undefined;
  readonly done: Promise<void>;

  constructor(private readonly options: PullLoopOptions) {
    this.done = this.#run();
  }

  /** Ends the open pull so that a new one is issued now (after a reconnect the old one is dead). */
  interrupt(): void {
    this.#current?.stop();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.stop();
    return this.done;
  }

  async #run(): Promise<void> {
    const { js, source, window, logger, dispatch } = this.options;
    let failures = 0;
    let consumer: Consumer | undefined;
    while (!this.#stopped) {
      await this.options.whenConnected();
      if (this.#stopped) break;
      const share = Math.ceil(window.size / this.options.sourceCount);
      let count = Math.min(window.free, share);
      if (count === 0) {
        await window.changed(1000);
        continue;
      }
      if (count < Math.ceil(share / 2) && window.inFlight > 0) {
        // Pulls of one or two messages cost a round trip each: give other deliveries a moment to settle too.
        await window.changed(COALESCE_MS);
        count = Math.min(window.free, share);
      }
      window.request(count);
      let outstanding = count;
      try {
        consumer ??= await js().consumers.get(source.stream, source.consumer);
        const expires = this.options.sourceCount > 1 ? SHARED_PULL_EXPIRES_MS : PULL_EXPIRES_MS;
        const batch = await consumer.fetch({ max_messages: count, expires });
        this.#current = batch;
        // stop() may have run while the pull was being set up.
        if (this.#stopped) batch.stop();
        for await (const message of batch) {
          outstanding -= 1;
          window.arrived();
          if (this.#stopped) {
            // Cancelled while the pull was open: give it back at once rather than after AckWait.
            message.nak();
            window.settled();
            continue;
          }
          dispatch(message, source);
        }
        failures = 0;
      } catch (error) {
        // Looked up again next time: the consumer may have been re-created.
        consumer = undefined;
        failures += 1;
        const delay = backoffDelay(failures, this.options.reconnectDelay);
        logger.warn(`pull from ${source.stream}/${source.consumer} failed (${error}); retrying in ${delay} ms`);
        if (!this.#stopped) await sleep(delay);
      } finally {
        this.#current = undefined;
        window.unrequest(outstanding);
      }
      // Lets a source woken by unrequest() take the freed slots before this one asks again.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
