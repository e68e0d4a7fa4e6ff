/**
 * One pull loop's inbox: a single long-lived subscription on which the loop sends its own pull requests
 * (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>` with the inbox as reply), instead of a `consumer.fetch()`
 * per pull (each its own subscription, option parsing, timers and iterator). At most one request is open at a
 * time, so every delivery and every status the server sends counts against that request exactly:
 * - a message with a `$JS.ACK…` reply is one of the requested messages;
 * - 408 (the request expired) or 404 ends the request, the rest undelivered;
 * - 409 and 503 (no responders) end it too, as a failure the loop backs off from;
 * - 100 (heartbeat, flow control) is not asked for and changes nothing.
 * A request the server forgot (a restart between request and expiry) gets no 408, nor does one for a
 * consumer that is gone: the inbox's own deadline (expiry plus a margin) ends it instead, as a failure, and
 * the loop drops this inbox, so that nothing the old request might still deliver counts against a new one. A message arriving with no request open (after a
 * deadline or once closed) was never counted in the prefetch window and goes back to the server at once.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { isAckSubject, PulledMessage } from './pulled-message.js';

/** Time past a request's expiry before the inbox treats it as forgotten by the server. */
export const FORGOTTEN_MARGIN_MS = 2000;

const REQUEST_TIMEOUT = 408;
const NO_MESSAGES = 404;
const HEARTBEAT = 100;

const encoder = new TextEncoder();

/**
 * Neither messages nor a status by the deadline: the server restarted, or nobody serves the subject (the
 * server sends no 503 for a missing consumer: its API import takes the request and drops it).
 */
function unanswered(afterMs: number): Error {
  return new Error(`no answer to the pull request within ${afterMs} ms (server restarted, or the consumer is gone)`);
}

export interface PullInboxEvents {
  /** A requested message arrived (already taken off the open request). */
  delivered(message: PulledMessage): void;
  /** A message arrived with no request open: it is not in the window and must go back (nak) at once. */
  unrequested(message: PulledMessage): void;
  /**
   * The open request ended with `undelivered` of its messages never sent. `failure` when the server refused
   * it (409, 503) or it outlived its deadline: the loop then drops this inbox and backs off.
   */
  ended(undelivered: number, outcome: { readonly failure?: Error }): void;
}

export class PullInbox {
  readonly #connection: NatsConnection;
  readonly #subject: string;
  readonly #requestSubject: string;
  readonly #events: PullInboxEvents;
  readonly #subscription: Subscription;
  /** Messages of the open request not yet delivered; 0 when none is open. */
  #remaining = 0;
  #deadline: NodeJS.Timeout | undefined;
  #closed = false;
  #drained: Promise<void> = Promise.resolve();

  constructor(
    connection: NatsConnection,
    inbox: string,
    target: { readonly stream: string; readonly consumer: string },
    events: PullInboxEvents,
  ) {
    this.#connection = connection;
    this.#subject = inbox;
    this.#requestSubject = `$JS.API.CONSUMER.MSG.NEXT.${target.stream}.${target.consumer}`;
    this.#events = events;
    this.#subscription = connection.subscribe(inbox, {
      callback: (error, msg) => (error ? this.#failed(error) : this.#received(msg)),
    });
  }

  /** Sends a pull request for `batch` messages, open for `expiresMs` on the server; throws if it cannot go. */
  request(batch: number, expiresMs: number): void {
    if (this.#remaining > 0 || this.#closed) throw new Error('a pull request is already open on this inbox');
    const body = encoder.encode(`{"batch":${batch},"expires":${expiresMs * 1_000_000}}`);
    this.#connection.publish(this.#requestSubject, body, { reply: this.#subject });
    this.#remaining = batch;
    const deadlineMs = expiresMs + FORGOTTEN_MARGIN_MS;
    this.#deadline = setTimeout(() => this.#end({ failure: unanswered(deadlineMs) }), deadlineMs);
  }

  /**
   * Stops listening and returns what the open request still expected (after a reconnect the server no
   * longer holds it; on stop the loop gives it back). The caller accounts for it; `ended` is not called.
   * The subscription drains: what the server sent before it saw the unsubscribe still arrives, counts as
   * unrequested and is given back at once instead of after AckWait. `drained` resolves when that is over.
   */
  close(): number {
    const left = this.#remaining;
    this.#remaining = 0;
    this.#clearDeadline();
    if (!this.#closed) {
      this.#closed = true;
      this.#drained = this.#drain();
    }
    return left;
  }

  /** Resolves once a closed inbox has stopped receiving. */
  get drained(): Promise<void> {
    return this.#drained;
  }

  async #drain(): Promise<void> {
    try {
      if (this.#connection.isClosed()) return;
      await this.#subscription.drain();
    } catch {
      // The connection went meanwhile: the subscription went with it.
    }
  }

  #received(msg: Msg): void {
    const reply = msg.reply;
    if (isAckSubject(reply)) {
      const message = new PulledMessage(msg, reply, this.#connection);
      if (this.#remaining === 0) {
        this.#events.unrequested(message);
        return;
      }
      this.#remaining -= 1;
      if (this.#remaining === 0) this.#clearDeadline();
      this.#events.delivered(message);
      // Fully delivered: the server closes the request without a status.
      if (this.#remaining === 0) this.#events.ended(0, {});
      return;
    }
    const code = msg.headers?.code ?? 0;
    if (code === HEARTBEAT || this.#remaining === 0) return;
    if (code === REQUEST_TIMEOUT || code === NO_MESSAGES) {
      this.#end({});
      return;
    }
    this.#end({ failure: new Error(`pull request refused: ${code} ${msg.headers?.description ?? ''}`.trim()) });
  }

  #failed(error: Error): void {
    if (this.#remaining > 0) this.#end({ failure: error });
  }

  #end(outcome: { readonly failure?: Error }): void {
    const left = this.#remaining;
    this.#remaining = 0;
    this.#clearDeadline();
    this.#events.ended(left, outcome);
  }

  #clearDeadline(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }
}
