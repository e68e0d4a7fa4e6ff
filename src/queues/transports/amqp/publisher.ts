/**
 * Publishing with confirms, for RabbitMQ. Every `publish()` settles as exactly one of confirmed, rejected
 * (nack, unroutable, missing exchange, closed) or timed out; none stays pending and none resolves early.
 *
 * Messages wait in a bounded outbox while there is no channel, while the broker blocks the connection
 * (resource alarm) and while amqplib's socket buffer waits for `drain`. Messages written but not yet
 * confirmed when the channel or connection dies go back to the outbox and are sent again, with the same
 * `messageId`, once a channel is back: consumers deduplicate on it, and the caller's deadline still holds.
 */
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { MicroservicesError } from '../../../errors.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { OutgoingMessage, PublishOptions, PublishTarget } from '../transport.js';
import { toPublishOptions } from './codec.js';
import {
  checkTarget,
  FINAL_REFUSALS,
  missingExchange,
  PUBLISH_ERROR_CODES,
  refusalError,
  sizeRefusal,
} from './errors.js';
import { publishConfirmed } from './lean-publish.js';

export { PUBLISH_ERROR_CODES } from './errors.js';

export interface PublisherLimits {
  /** Default deadline of a publish in ms. */
  readonly timeoutMs: number;
  /** The most messages held at once (waiting or unconfirmed); beyond it `publish()` rejects at once. */
  readonly maxBufferedMessages: number;
  /** The most body bytes held at once. */
  readonly maxBufferedBytes: number;
  /** The largest body the broker takes (RabbitMQ's `max_message_size`, 128 MiB by default); larger is refused at once. */
  readonly maxMessageBytes: number;
}

interface PendingPublish {
  readonly sequence: number;
  readonly target: PublishTarget;
  readonly message: OutgoingMessage;
  /** The amqplib options, checked and converted once when the message was accepted. */
  readonly options: Options.Publish;
  readonly messageId: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  /** The channel this copy was last written to; callbacks from an older write are ignored. */
  writtenTo: ConfirmChannel | undefined;
  /** Written to a channel at least once: after that, a timeout or abort cannot say it was not delivered. */
  everWritten: boolean;
  /** Set by a `basic.return`, which the broker sends before the confirm of the same message. */
  returned: string | undefined;
  /** The publish's deadline on the `performance.now()` clock, and the timeout it came from (for the error). */
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/** Shared by every publish without options, rather than a fresh `{}` each time. */
const NO_OPTIONS: PublishOptions = Object.freeze({});

/**
 * The confirm-channel publisher of one AMQP transport; the transport attaches a fresh channel after
 * every (re)connect.
 * @example
 * const publisher = new AmqpPublisher({ timeoutMs: 10_000, maxBufferedMessages: 10_000, maxBufferedBytes: 16 << 20 }, logger);
 * publisher.attach(await model.createConfirmChannel());
 * await publisher.publish({ exchange: '', routingKey: 'jobs' }, { body: Buffer.from('{}'), properties: {} });
 */
export class AmqpPublisher {
  #channel: ConfirmChannel | undefined;
  #awaitingDrain = false;
  #blocked = false;
  #closed = false;
  #sequence = 0;
  #bufferedBytes = 0;
  readonly #outbox: PendingPublish[] = [];
  readonly #unconfirmed = new Set<PendingPublish>();
  readonly #idleWaiters: Array<() => void> = [];
  #lastChannelError: Error | undefined;
  /** Per closed channel, the message its close refused for good (see `refusedBy`). */
  readonly #refusals = new WeakMap<ConfirmChannel, PendingPublish | undefined>();
  /**
   * One timer for every deadline instead of a `setTimeout` per publish (a timer object, two closures and a
   * timer-list insert and removal per message): it is armed for the earliest deadline it knows of, and when it
   * fires it times out what is due and arms itself for the next one.
   */
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineTimerAt = Number.POSITIVE_INFINITY;

  readonly #onChannelClosed: (channel: ConfirmChannel) => void;

  readonly #logger: Logger;

  readonly #limits: PublisherLimits;

  constructor(
    limits: PublisherLimits,
    logger: Logger,
    /** Called when the attached channel closes on its own, so the owner can open another one. */
    onChannelClosed: (channel: ConfirmChannel) => void = () => {},
  ) {
    this.#onChannelClosed = onChannelClosed;
    this.#logger = logger;
    this.#limits = limits;
  }

  /** Messages accepted but not yet settled. */
  get pendingCount(): number {
    return this.#outbox.length + this.#unconfirmed.size;
  }

  /** Starts writing to a new confirm channel; what the previous one left unconfirmed is sent again. */
  attach(channel: ConfirmChannel): void {
    this.#channel = channel;
    this.#awaitingDrain = false;
    this.#lastChannelError = undefined;
    channel.on('drain', () => {
      if (this.#channel !== channel) return;
      this.#awaitingDrain = false;
      this.#pump();
    });
    channel.on('return', (message: Message) => this.#onReturn(message));
    channel.on('error', (error: Error) => {
      this.#lastChannelError = error;
    });
    channel.on('close', () => {
      if (this.#channel === channel) this.#channel = undefined;
      if (!this.#closed) this.#onChannelClosed(channel);
    });
    this.#pump();
  }

  /** The channel is gone (connection lost); hold messages until `attach()`. */
  detach(): void {
    this.#channel = undefined;
    this.#awaitingDrain = false;
  }

  /** The broker stopped reading from this connection (resource alarm), or started again. */
  setBlocked(blocked: boolean): void {
    this.#blocked = blocked;
    if (!blocked) this.#pump();
  }

  /** The channel it writes to now, if any (the direct reply-to consumer must live on it). */
  get channel(): ConfirmChannel | undefined {
    return this.#channel;
  }

  /** True while this publisher has a usable channel. */
  get hasChannel(): boolean {
    return this.#channel !== undefined;
  }

  /**
   * Sends one message; resolves once the broker confirmed it and no queue-less return preceded the
   * confirm.
   */
  publish(target: PublishTarget, message: OutgoingMessage, options: PublishOptions = NO_OPTIONS): Promise<void> {
    if (this.#closed)
      return Promise.reject(new MicroservicesError(PUBLISH_ERROR_CODES.closed, 'The transport is closed'));
    if (options.signal?.aborted) return Promise.reject(this.#abortError(options.signal, false));
    const size = message.body.length;
    const tooLarge = sizeRefusal(size, this.#limits);
    if (tooLarge) return Promise.reject(tooLarge);
    if (
      this.pendingCount >= this.#limits.maxBufferedMessages ||
      this.#bufferedBytes + size > this.#limits.maxBufferedBytes
    ) {
      return Promise.reject(
        new MicroservicesError(
          PUBLISH_ERROR_CODES.bufferFull,
          `Publish buffer full (${this.pendingCount} messages, ${this.#bufferedBytes} bytes unconfirmed); retry later`,
        ),
      );
    }
    const properties = message.properties;
    // The client always sets a messageId, so the properties are used as they are instead of copied.
    const withId =
      properties.messageId === undefined
        ? { body: message.body, properties: { ...properties, messageId: randomUUID() } }
        : message;
    let publishOptions: Options.Publish;
    try {
      // Checked before the message is accepted: amqplib would throw half-way through writing it.
      checkTarget(target);
      publishOptions = toPublishOptions(withId.properties);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#limits.timeoutMs;
      const signal = options.signal;
      const entry: PendingPublish = {
        sequence: ++this.#sequence,
        target,
        message: withId,
        options: publishOptions,
        messageId: withId.properties.messageId as string,
        resolve,
        reject,
        settled: false,
        writtenTo: undefined,
        everWritten: false,
        returned: undefined,
        deadline: performance.now() + timeoutMs,
        timeoutMs,
        signal,
        onAbort:
          signal === undefined ? undefined : () => this.#settle(entry, this.#abortError(signal, entry.everWritten)),
      };
      if (signal !== undefined && entry.onAbort !== undefined) {
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#bufferedBytes += size;
      this.#outbox.push(entry);
      if (entry.deadline < this.#deadlineTimerAt) this.#armDeadlineTimer(entry.deadline);
      this.#pump();
    });
  }

  /** Resolves once nothing is waiting or unconfirmed (every pending publish settles by its deadline). */
  whenIdle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Rejects everything still pending with `reason`, and stays usable: for when connecting gave up for good
   * (a refused login, an unknown vhost), so that waiting publishes fail with the cause instead of a timeout.
   */
  failPending(reason: Error): void {
    for (const entry of [...this.#outbox, ...this.#unconfirmed]) this.#settle(entry, reason);
  }

  /** Rejects everything still pending and refuses new publishes. */
  close(reason: Error = new MicroservicesError(PUBLISH_ERROR_CODES.closed, 'The transport is closed')): void {
    this.#closed = true;
    for (const entry of [...this.#outbox, ...this.#unconfirmed]) this.#settle(entry, reason);
    this.#channel = undefined;
  }

  #armDeadlineTimer(at: number): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimerAt = at;
    this.#deadlineTimer = setTimeout(() => this.#expireDue(), Math.max(1, Math.ceil(at - performance.now())));
  }

  #disarmDeadlineTimer(): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineTimerAt = Number.POSITIVE_INFINITY;
  }

  /** Times out every pending publish past its deadline, then arms the timer for the earliest one left. */
  #expireDue(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineTimerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: PendingPublish[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const pending of [this.#outbox, this.#unconfirmed]) {
      for (const entry of pending) {
        if (entry.deadline <= now) due.push(entry);
        else if (entry.deadline < next) next = entry.deadline;
      }
    }
    // Settle in publish order, as separate timers firing would have.
    due.sort((a, b) => a.sequence - b.sequence);
    for (const entry of due) {
      this.#settle(
        entry,
        new MicroservicesError(
          PUBLISH_ERROR_CODES.timeout,
          `The broker did not confirm the message to "${entry.target.exchange || '(default)'}/${entry.target.routingKey}" within ${entry.timeoutMs} ms; ${entry.everWritten ? 'it may have been delivered' : 'it was never sent (no usable channel)'}`,
        ),
      );
    }
    if (next !== Number.POSITIVE_INFINITY && this.pendingCount > 0 && next < this.#deadlineTimerAt) {
      this.#armDeadlineTimer(next);
    }
  }

  #abortError(signal: AbortSignal | undefined, written: boolean): Error {
    return new MicroservicesError(
      PUBLISH_ERROR_CODES.aborted,
      written
        ? 'The publish was aborted; it may have been delivered'
        : 'The publish was aborted before it was sent; it was not delivered',
      { cause: signal?.reason },
    );
  }

  #pump(): void {
    while (this.#channel && !this.#awaitingDrain && !this.#blocked && this.#outbox.length > 0) {
      const entry = this.#outbox.shift() as PendingPublish;
      this.#write(this.#channel, entry);
    }
  }

  #write(channel: ConfirmChannel, entry: PendingPublish): void {
    entry.writtenTo = channel;
    entry.returned = undefined;
    this.#unconfirmed.add(entry);
    const { target, message } = entry;
    try {
      const flushed = publishConfirmed(
        channel,
        target.exchange,
        target.routingKey,
        message.body,
        entry.options,
        (error: unknown) => this.#onConfirm(entry, channel, error),
      );
      entry.everWritten = true;
      if (!flushed) this.#awaitingDrain = true;
    } catch (error) {
      if ((error as Error).name === 'IllegalOperationError') {
        // amqplib throws this synchronously when the channel has just closed: send it again on the next one.
        logWith(this.#logger, 'debug', { err: error }, 'publish on a closed channel, holding the message');
        if (this.#channel === channel) this.#channel = undefined;
        this.#requeue(entry);
        return;
      }
      // Anything else is amqplib refusing to encode this message (checked up front, so unexpected): the
      // channel is untouched, this message fails and the others go on.
      this.#settle(
        entry,
        new MicroservicesError(
          PUBLISH_ERROR_CODES.unencodable,
          `amqplib could not encode the message: ${(error as Error).message}`,
          { cause: error },
        ),
      );
    }
  }

  #onConfirm(entry: PendingPublish, channel: ConfirmChannel, error: unknown): void {
    if (entry.settled || entry.writtenTo !== channel) return;
    this.#unconfirmed.delete(entry);
    if (!error) {
      if (entry.returned === undefined) this.#settle(entry);
      else
        this.#settle(
          entry,
          new MicroservicesError(
            PUBLISH_ERROR_CODES.unroutable,
            `No queue is bound to "${entry.target.exchange || '(default)'}" for routing key "${entry.target.routingKey}" (${entry.returned})`,
          ),
        );
      return;
    }
    if ((error as Error).message === 'message nacked') {
      this.#settle(
        entry,
        new MicroservicesError(PUBLISH_ERROR_CODES.nacked, 'The broker refused the message (basic.nack)'),
      );
      return;
    }
    // The channel closed before the confirm arrived: a missing exchange is final, anything else is retried.
    const exchange = missingExchange(this.#lastChannelError);
    if (exchange !== undefined && exchange === entry.target.exchange) {
      this.#settle(
        entry,
        new MicroservicesError(PUBLISH_ERROR_CODES.noExchange, `The exchange "${exchange}" does not exist`, {
          cause: this.#lastChannelError,
        }),
      );
      return;
    }
    if (this.#refusedBy(channel, entry) === entry && this.#lastChannelError) {
      this.#settle(entry, refusalError(this.#lastChannelError, entry));
      return;
    }
    if (this.#channel === channel) this.#channel = undefined;
    this.#requeue(entry);
  }

  /**
   * The message a channel was closed for, when the close refuses one message for good (`FINAL_REFUSALS`).
   * RabbitMQ closes the channel on the offending publish and drops what follows it, so the culprit is the
   * oldest message unconfirmed on that channel; for a size refusal, the oldest one of the size it names.
   * Worked out once per channel, on its first failed confirm, while every unconfirmed entry is still known.
   */
  #refusedBy(channel: ConfirmChannel, current: PendingPublish): PendingPublish | undefined {
    if (this.#refusals.has(channel)) return this.#refusals.get(channel);
    const error = this.#lastChannelError;
    const code = (error as { code?: unknown } | undefined)?.code;
    let culprit: PendingPublish | undefined;
    if (error && typeof code === 'number' && FINAL_REFUSALS.has(code)) {
      const size = /message size (\d+) is larger/.exec(error.message);
      // `current` has just left `unconfirmed`; the others on this channel get their callbacks next.
      for (const entry of [current, ...this.#unconfirmed]) {
        if (entry.writtenTo !== channel) continue;
        if (size && entry.message.body.length !== Number(size[1])) continue;
        if (!culprit || entry.sequence < culprit.sequence) culprit = entry;
      }
    }
    this.#refusals.set(channel, culprit);
    return culprit;
  }

  #onReturn(message: Message): void {
    const messageId = message.properties.messageId as string | undefined;
    const fields = message.fields as { replyCode?: number; replyText?: string };
    const reason = `${fields.replyCode ?? ''} ${fields.replyText ?? ''}`.trim() || 'returned';
    let match: PendingPublish | undefined;
    for (const entry of this.#unconfirmed) {
      if (
        entry.messageId === messageId &&
        entry.returned === undefined &&
        (!match || entry.sequence < match.sequence)
      ) {
        match = entry;
      }
    }
    if (match) match.returned = reason;
  }

  #requeue(entry: PendingPublish): void {
    this.#unconfirmed.delete(entry);
    entry.writtenTo = undefined;
    if (entry.settled) return;
    // Keep publish order: the resent copy goes before anything published after it.
    const index = this.#outbox.findIndex((other) => other.sequence > entry.sequence);
    if (index === -1) this.#outbox.push(entry);
    else this.#outbox.splice(index, 0, entry);
  }

  #settle(entry: PendingPublish, error?: Error): void {
    if (entry.settled) return;
    entry.settled = true;
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    this.#unconfirmed.delete(entry);
    // Only a message never written (or taken back for a resend) is in the outbox: skip the scan otherwise.
    if (entry.writtenTo === undefined) {
      const index = this.#outbox.indexOf(entry);
      if (index !== -1) this.#outbox.splice(index, 1);
    }
    this.#bufferedBytes -= entry.message.body.length;
    if (error) entry.reject(error);
    else entry.resolve();
    if (this.pendingCount === 0) {
      // Nothing left to time out: no timer keeps the process alive.
      this.#disarmDeadlineTimer();
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
