/**
 * How long a queue service's `stop()` lets running handlers finish. Alone, `stop()` waits up to the service's
 * `drainTimeoutMs`; given a deadline or a signal (the lifecycle passes its `StopContext`, so one deadline bounds
 * the whole shutdown), that replaces `drainTimeoutMs`: the drain is cut when the signal aborts or the deadline
 * passes, whichever the caller gave (the signal wins when both are given, so the lifecycle sees its own
 * deadline pass before the service reports back, and exits non-zero).
 */

/**
 * What `QueueService.stop()` may be given; the lifecycle's `StopContext` fits.
 * @example await worker.stop({ deadline: Date.now() + 5_000 });
 */
export interface QueueStopOptions {
  /** `Date.now()` value by which running handlers must have finished; past it they are aborted and requeued. */
  readonly deadline?: number;
  /** Aborting it cuts the drain at once: running handlers are aborted and their messages requeued. */
  readonly signal?: AbortSignal;
}

/**
 * The drain bound of one service: `signal` aborts when a deadline or signal given to any `stop()` call says so,
 * also one given after an unbounded `stop()` began.
 * @example const limit = new DrainLimit(); limit.add({ signal }); await runner.stop(limit.bounded ? undefined : 10_000, limit.signal);
 */
export class DrainLimit {
  readonly #cut = new AbortController();
  #bounded = false;
  #deadline = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  /** True once a deadline or signal was given: `drainTimeoutMs` no longer applies. */
  get bounded(): boolean {
    return this.#bounded;
  }

  /** Aborted when the drain must end now. */
  get signal(): AbortSignal {
    return this.#cut.signal;
  }

  /** Takes the bound of one `stop()` call; the earliest one given wins. */
  add(options: QueueStopOptions): void {
    const { deadline, signal } = options;
    if (signal !== undefined) {
      this.#bounded = true;
      if (signal.aborted) this.#cut.abort(signal.reason);
      else signal.addEventListener('abort', () => this.#cut.abort(signal.reason), { once: true });
      return;
    }
    if (deadline === undefined || Number.isNaN(deadline)) return;
    this.#bounded = true;
    if (deadline >= this.#deadline) return;
    this.#deadline = deadline;
    clearTimeout(this.#timer);
    const left = Math.max(0, deadline - Date.now());
    this.#timer = setTimeout(() => this.#cut.abort(new Error('the stop deadline passed')), left);
  }

  /** Clears the deadline timer once the service stopped. */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}
