/**
 * A typed event emitter for transports, so `on('reconnecting', (attempt, delayMs) => …)` is checked against
 * `TransportEvents`. Any transport may extend it; it is a thin layer over node:events.
 */
import { EventEmitter } from 'node:events';
import type { TransportEventName, TransportEvents } from '../transport.js';

/**
 * @example class MyTransport extends TransportEventEmitter { … } // then this.emitEvent('connected')
 */
export class TransportEventEmitter {
  readonly #emitter = new EventEmitter();

  constructor() {
    // An 'error' event without listeners would throw from emit(); transports report errors, they do not crash.
    this.#emitter.on('error', () => {});
  }

  /** @example transport.on('connected', () => console.log('up')); */
  on<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** @example transport.off('connected', onUp); */
  off<E extends TransportEventName>(event: E, listener: (...args: TransportEvents[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** @example this.emitEvent('reconnecting', 2, 1500); */
  protected emitEvent<E extends TransportEventName>(event: E, ...args: TransportEvents[E]): void {
    this.#emitter.emit(event, ...args);
  }
}
