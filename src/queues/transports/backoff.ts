/** Exponential backoff with full jitter, shared by reconnect loops and handler retries. */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of the delay that is randomised (0 = none, 1 = full jitter). Default 0.5. */
  readonly jitter?: number;
}

/**
 * The delay before attempt `attempt` (1-based): `initial * 2^(attempt-1)`, capped at `max`, with part of it random.
 * @example backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 }); // 400
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = options.jitter ?? 0.5;
  return Math.round(exponential * (1 - jitter) + exponential * jitter * random());
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
