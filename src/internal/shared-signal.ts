/**
 * An AbortController whose signal many pending operations listen on at once: a transport's closing, a
 * consumer channel's end. Each operation removes its listener when it settles, so how many there are is
 * bounded by the operations in flight (a consumer's prefetch, the publishes waiting for a connection), not a
 * leak; Node's default cap of 10 listeners would print a "possible memory leak" warning for any burst of more.
 * @example const closing = sharedAbortController(); // closing.signal takes any number of listeners
 */
import { setMaxListeners } from 'node:events';

export function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
