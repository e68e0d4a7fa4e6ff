/**
 * Runs one queue's handler over the deliveries of its subscription: decodes, calls the handler with at most
 * `concurrency` at once (the rest wait in arrival order), acks after success in autoack mode, retries or
 * dead-letters failures (retry.ts), enforces the handler timeout, and drains on stop.
 */
import { CODES, ERRORS, MicroservicesError } from '../errors.js';
import type { BackoffOptions } from '../internal/backoff.js';
import { Deque } from '../internal/deque.js';
import { logWith } from '../logging/fields.js';
import { contextLogger, type Logger } from '../logging.js';
import type { MetricsRecorder } from '../ops/metrics.js';
import { tracedHandle } from '../ops/tracing/index.js';
import { type DecodeOptions, decodePayload, type Payload } from './codec.js';
import { type HandlerContext, QueueMessage, type QueueRule } from './context.js';
import { describeFailure } from './failure.js';
import { failureSettled, type HandlerProbe, handlerBegan, handlerFailed } from './ops.js';
import { type FailureReason, failureNack } from './retry.js';
import { isRequest, type Responder } from './rpc/responder.js';
import type { Delivery } from './transports/transport.js';

/** Raised into the retry path when a handler outlives its `timeoutMs`. */
export class HandlerTimeoutError extends MicroservicesError {
  /** @example new HandlerTimeoutError('q', 500); */
  constructor(queue: string, timeoutMs: number) {
    super(CODES.MS_QUEUE_HANDLER_TIMEOUT, `handler for queue "${queue}" did not finish within ${timeoutMs} ms`);
  }
}

export interface RunnerSettings {
  readonly concurrency: number;
  readonly timeoutMs: number | undefined;
  /** Skip decoding: the handler gets the body Buffer. */
  readonly raw: boolean;
  readonly retry: { maxRetries: number; backoff: BackoffOptions };
  /** Replaces JSON.parse for JSON bodies (e.g. a BigInt-safe parser). */
  readonly parseJson?: ((text: string) => unknown) | undefined;
  /** Consumed, failed, retried and dead-lettered counts, handler duration, in-flight handlers. */
  readonly metrics?: MetricsRecorder | undefined;
  /** Answers deliveries that carry `replyTo` (request/reply): the return value, or the error, then ack. */
  readonly responder?: Responder | undefined;
}

/** One handler call in flight. Its context is the object the handler sees. */
class Execution implements HandlerContext {
  done = false;
  /** Set when timeoutMs passed: the message is settled, but the worker slot stays taken until the handler ends. */
  timedOut = false;
  timer: NodeJS.Timeout | undefined;
  probe: HandlerProbe | undefined;
  #controller: AbortController | undefined;
  #queueMessage: QueueMessage | undefined;
  #log: Logger | undefined;

  readonly #payload: Payload;

  constructor(
    readonly delivery: Delivery,
    payload: Payload,
    readonly rule: QueueRule,
  ) {
    this.#payload = payload;
  }

  /** Created on first use (then always the same object): most handlers only read their payload. */
  get message(): QueueMessage {
    this.#queueMessage ??= new QueueMessage(this.delivery, this.#payload);
    return this.#queueMessage;
  }

  /** The queue's logger with this message's `messageId` and `attempt` (made on first use). */
  get logger(): Logger {
    this.#log ??= contextLogger(this.rule.logger, deliveryFields(this.delivery));
    return this.#log;
  }

  get attempt(): number {
    return this.delivery.deliveryCount;
  }

  /** Created on first use: most handlers never read it. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  abort(reason: Error): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }
}

/** The log fields of one delivery. */
function deliveryFields(delivery: Delivery): { messageId?: string; attempt: number } {
  const { messageId } = delivery.properties;
  return messageId === undefined ? { attempt: delivery.deliveryCount } : { messageId, attempt: delivery.deliveryCount };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * @example
 * const runner = new HandlerRunner(rule, { concurrency: 1, timeoutMs: undefined, raw: false, retry: resolveRetry({}) });
 * await transport.consume(rule.name, runner.onDelivery, { prefetch: 100 });
 */
export class HandlerRunner {
  /** Handler calls finished (successfully or not) since the runner started. */
  completed = 0;
  #active = 0;
  #pumping = false;
  #stopping = false;
  readonly #waiting = new Deque<Delivery>();
  readonly #inFlight = new Set<Execution>();
  #drained: (() => void) | undefined;
  readonly #decodeOptions: DecodeOptions;

  readonly #settings: RunnerSettings;

  readonly #rule: QueueRule;

  constructor(rule: QueueRule, settings: RunnerSettings) {
    this.#settings = settings;
    this.#rule = rule;
    this.#decodeOptions = settings.parseJson ? { parseJson: settings.parseJson } : {};
  }

  /** True when nothing is running or waiting. */
  get idle(): boolean {
    return this.#active === 0 && this.#waiting.length === 0;
  }

  /** The transport's delivery handler. */
  readonly onDelivery = (delivery: Delivery): void => {
    if (this.#stopping) {
      void delivery.nack({ requeue: true });
      return;
    }
    this.#waiting.push(delivery);
    this.#pump();
  };

  /**
   * Stops taking work: waiting deliveries go back to the broker now; running handlers get `drainTimeoutMs`
   * (none: no limit of its own) or until `cut` aborts (the lifecycle's deadline), whichever comes first, to
   * finish; then their signals abort and their messages are requeued. Resolves with how many were cut off.
   */
  async stop(drainTimeoutMs: number | undefined, cut?: AbortSignal): Promise<number> {
    this.#stopping = true;
    for (let delivery = this.#waiting.shift(); delivery; delivery = this.#waiting.shift()) {
      await delivery.nack({ requeue: true });
    }
    if (this.#inFlight.size > 0 && cut?.aborted !== true) {
      let timer: NodeJS.Timeout | undefined;
      let onCut: (() => void) | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#drained = resolve;
        }),
        new Promise<void>((resolve) => {
          if (drainTimeoutMs !== undefined) timer = setTimeout(resolve, drainTimeoutMs);
          onCut = resolve;
          cut?.addEventListener('abort', onCut, { once: true });
        }),
      ]);
      clearTimeout(timer);
      if (onCut) cut?.removeEventListener('abort', onCut);
    }
    const cutOff = this.#inFlight.size;
    for (const execution of [...this.#inFlight]) {
      logWith(
        this.#rule.logger,
        'warn',
        deliveryFields(execution.delivery),
        'handler still running after the drain timeout; message requeued',
      );
      execution.abort(ERRORS.MS_QUEUE_STOPPED('the queue service is stopping'));
      this.#finish(execution);
      await execution.delivery.nack({ requeue: true });
    }
    return cutOff;
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#active < this.#settings.concurrency && this.#waiting.length > 0) {
        this.#start(this.#waiting.shift() as Delivery);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #start(delivery: Delivery): void {
    if (delivery.deliveryCount > this.#settings.retry.maxRetries + 1) {
      // Its earlier deliveries never came back as failures: the consumers holding them died. Running it again
      // would crash this one too, so it is dead-lettered without running (the crash-loop guard).
      logWith(
        this.#rule.logger,
        'error',
        deliveryFields(delivery),
        `message delivered ${delivery.deliveryCount} times without finishing: dead-lettered`,
      );
      this.completed += 1;
      const error = ERRORS.MS_QUEUE_DELIVERY_LIMIT(
        `delivered ${delivery.deliveryCount} times without its handler finishing (consumer crashes?)`,
      );
      void this.#settleFailure(delivery, error, 'delivery-limit');
      return;
    }
    let payload: Payload;
    try {
      payload = this.#settings.raw
        ? delivery.body
        : decodePayload(delivery.body, delivery.properties, this.#decodeOptions);
    } catch (error) {
      logWith(
        this.#rule.logger,
        'error',
        { ...deliveryFields(delivery), err: error },
        `undecodable message dead-lettered: ${describeFailure(error).message}`,
      );
      this.completed += 1;
      void this.#settleFailure(delivery, error, 'undecodable');
      return;
    }
    const execution = new Execution(delivery, payload, this.#rule);
    this.#active += 1;
    this.#inFlight.add(execution);
    execution.probe = handlerBegan(this.#settings.metrics, this.#rule.name);
    let result: unknown;
    try {
      const { headers, messageId } = delivery.properties;
      const traced = { queue: this.#rule.name, headers, messageId, attempt: delivery.deliveryCount };
      result = tracedHandle(traced, () => this.#rule.handler(payload, execution));
    } catch (error) {
      this.#fail(execution, error, 'handler-error');
      return;
    }
    if (!isThenable(result)) {
      this.#succeed(execution, result);
      return;
    }
    const { timeoutMs } = this.#settings;
    if (timeoutMs !== undefined) {
      execution.timer = setTimeout(() => {
        const error = new HandlerTimeoutError(this.#rule.name, timeoutMs);
        execution.timedOut = true;
        execution.abort(error);
        this.#fail(execution, error, 'timeout');
      }, timeoutMs);
    }
    result.then(
      (value) => this.#succeed(execution, value),
      (error: unknown) => this.#fail(execution, error, 'handler-error'),
    );
  }

  #succeed(execution: Execution, value: unknown): void {
    if (execution.done) {
      this.#releaseLate(execution);
      return;
    }
    this.#finish(execution);
    if (this.#settings.responder && isRequest(execution.delivery)) {
      void this.#answer(execution.delivery, { value });
      return;
    }
    if (!this.#rule.autoack) return;
    const { delivery } = execution;
    if (delivery.settled) {
      this.#rule.logger.debug('ack() was called in handler? The message was already settled; autoack skipped');
      return;
    }
    delivery.ack().then(this.#onAcked, this.#onAckFailed);
  }

  // Bound once, not two closures per message.
  readonly #onAcked = (acked: boolean): void => {
    if (!acked) this.#rule.logger.warn('ack dropped: the channel is gone; the broker will redeliver');
  };

  readonly #onAckFailed = (error: unknown): void => {
    logWith(this.#rule.logger, 'error', { err: error }, 'ack failed');
  };

  #fail(execution: Execution, error: unknown, reason: FailureReason): void {
    if (execution.done) {
      this.#releaseLate(execution);
      return;
    }
    this.#finish(execution);
    handlerFailed(this.#settings.metrics, this.#rule.name);
    logWith(
      this.#rule.logger,
      'error',
      { ...deliveryFields(execution.delivery), err: error },
      `Something happened in user handler (attempt ${execution.attempt})`,
    );
    if (execution.delivery.settled) return;
    void this.#settleFailure(execution.delivery, error, reason);
  }

  async #settleFailure(delivery: Delivery, error: unknown, reason: FailureReason): Promise<void> {
    if (this.#settings.responder && isRequest(delivery)) return this.#answer(delivery, { error });
    const nack = failureNack(error, delivery.deliveryCount, reason, this.#rule.name, this.#settings.retry);
    failureSettled(this.#settings.metrics, this.#rule.name, nack.requeue === true);
    if (!nack.requeue) {
      logWith(
        this.#rule.logger,
        'error',
        deliveryFields(delivery),
        `message dead-lettered after ${delivery.deliveryCount} attempt(s)`,
      );
    }
    try {
      const settled = await delivery.nack(nack);
      if (!settled) this.#rule.logger.warn('nack dropped: the channel is gone; the broker will redeliver');
    } catch (nackError) {
      logWith(this.#rule.logger, 'error', { ...deliveryFields(delivery), err: nackError }, 'nack failed');
    }
  }

  /** A request is answered (value or error), then acked in autoack mode: never retried nor dead-lettered. */
  async #answer(delivery: Delivery, outcome: { value: unknown } | { error: unknown }): Promise<void> {
    await this.#settings.responder?.answer(delivery, outcome);
    if (!this.#rule.autoack || delivery.settled) return;
    await delivery.ack().then(this.#onAcked, this.#onAckFailed);
  }

  /**
   * A handler that ran past timeoutMs has finished at last: only now is its worker slot free. Counting it
   * until then keeps the concurrency against downstream services bounded by `workers`, also when handlers
   * ignore `context.signal` (issue 10 item 12).
   */
  #releaseLate(execution: Execution): void {
    if (!execution.timedOut) return;
    execution.timedOut = false;
    this.#active -= 1;
    if (!this.#stopping) this.#pump();
  }

  #finish(execution: Execution): void {
    execution.done = true;
    execution.probe?.();
    if (execution.timer) clearTimeout(execution.timer);
    this.#inFlight.delete(execution);
    // A timed-out handler keeps its slot until it really ends (releaseLate).
    if (!execution.timedOut) this.#active -= 1;
    this.completed += 1;
    if (this.#stopping) {
      if (this.#inFlight.size === 0) this.#drained?.();
      return;
    }
    this.#pump();
  }
}
