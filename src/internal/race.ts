/**
 * Racing a promise against something that may reject it first: an abort signal, a deadline, a closing
 * connection. The promise itself keeps running; only the wait for it ends.
 */

/**
 * Settles with `promise`, unless the rejecter handed to `arm` is called first; `arm` returns how to disarm.
 * @example raceWith(command, (reject) => { const t = setTimeout(() => reject(new Error('late')), 50); return () => clearTimeout(t); });
 */
export function raceWith<T>(promise: Promise<T>, arm: (reject: (error: unknown) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const disarm = arm(reject);
    promise.then(
      (value) => {
        disarm();
        resolve(value);
      },
      (error: unknown) => {
        disarm();
        reject(error);
      },
    );
  });
}

/**
 * Rejects with the signal's reason when it aborts before `promise` settles.
 * @example await unlessAborted(publish(), options.signal);
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return raceWith(promise, (reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}

/**
 * Rejects with `timeoutError()` when `promise` has not settled within `ms`.
 * @example await withTimeout(client.quit(), 2000, () => new Error('QUIT took too long'));
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: () => unknown): Promise<T> {
  return raceWith(promise, (reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    return () => clearTimeout(timer);
  });
}
