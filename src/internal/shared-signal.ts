/**
 * An AbortController whose signal many pending operations listen on at once, such as an AMQP consumer
 * channel's end, which every requeued or dead-lettered copy from that channel waits on until it is confirmed.
 * Each operation removes its listener when it settles, so how many there are is bounded by the operations in
 * flight (the consumer's prefetch), not a leak; Node's default cap of 10 listeners would print a "possible
 * memory leak" warning for any burst of more.
 * @example const closing = sharedAbortController(); // closing.signal takes any number of listeners
 */
import { setMaxListeners } from 'node:events';

export function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
