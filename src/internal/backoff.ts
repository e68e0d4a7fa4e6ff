/**
 * Exponential backoff with jitter and an abortable sleep, shared by the queue transports' reconnect loops, the
 * queue handlers' retries and the HTTP client's retries.
 */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = full jitter). Default 0.5. */
  readonly jitter?: number;
}

/**
 * The delay before attempt `attempt` (1-based): `initial * 2^(attempt-1)`, capped at `max`, with part of it random.
 * Rounded down, so full jitter stays below the cap.
 * @example backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 }); // 400
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = options.jitter ?? 0.5;
  return Math.floor(exponential * (1 - jitter) + exponential * jitter * random());
}

/**
 * What `sleep` can be cancelled by: an `AbortSignal`, or an emitter-style signal (the HTTP client's
 * `AbortEmitter`, cheaper on its hot path) that reads the same and emits `abort`.
 */
export type SleepSignal =
  | AbortSignal
  | {
      readonly aborted: boolean;
      readonly reason: unknown;
      once(event: 'abort', listener: () => void): unknown;
      removeListener(event: 'abort', listener: () => void): unknown;
    };

/**
 * Resolves after `ms`, or rejects with the signal's reason when it aborts first.
 * @example await sleep(100, controller.signal);
 */
export function sleep(ms: number, signal?: SleepSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      if (signal) unlisten(signal, onAbort);
      resolve();
    }, ms);
    if (signal) listen(signal, onAbort);
  });
}

function listen(signal: SleepSignal, listener: () => void): void {
  if ('addEventListener' in signal) signal.addEventListener('abort', listener, { once: true });
  else signal.once('abort', listener);
}

function unlisten(signal: SleepSignal, listener: () => void): void {
  if ('removeEventListener' in signal) signal.removeEventListener('abort', listener);
  else signal.removeListener('abort', listener);
}
