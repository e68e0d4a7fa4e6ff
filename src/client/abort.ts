/**
 * A light abort signal for the hot path. undici accepts an EventEmitter as a request's `signal`, and an emitter
 * listener costs far less than an `AbortSignal` (EventTarget) one: about a tenth of the client's time per call
 * in the benchmark went to `AbortSignal` listeners.
 */
import { EventEmitter } from 'node:events';
import { sleep } from '../internal/backoff.js';

/**
 * Emits `abort` once; `aborted` and `reason` read like an `AbortSignal`'s.
 * @example const signal = new AbortEmitter(); signal.abort(new Error('stop')); signal.aborted; // true
 */
export class AbortEmitter extends EventEmitter {
  aborted = false;
  reason: unknown;

  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (the shared `sleep`, kept under this name).
 * @example await abortableSleep(100, signal);
 */
export function abortableSleep(ms: number, signal: AbortEmitter): Promise<void> {
  return sleep(ms, signal);
}
