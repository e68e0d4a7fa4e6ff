/**
 * One process listener per signal, shared by every orchestrator run in the process. Signal listeners are
 * process-global by nature, so this is the one place that holds them: running two orchestrators (or one twice)
 * never installs a second listener, and removing the last subscriber removes the listener, which gives the
 * signal its default behaviour back.
 */

export type SignalSubscriber = (signal: NodeJS.Signals) => void;

const subscribers = new Map<NodeJS.Signals, Set<SignalSubscriber>>();
const listeners = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();

/**
 * Calls `subscriber` on each of `signals`; returns a function that unsubscribes (idempotent).
 * @example const off = onSignals(['SIGINT', 'SIGTERM'], (signal) => console.log(signal)); off();
 */
export function onSignals(signals: readonly NodeJS.Signals[], subscriber: SignalSubscriber): () => void {
  for (const signal of signals) {
    let set = subscribers.get(signal);
    if (!set) {
      set = new Set();
      subscribers.set(signal, set);
    }
    set.add(subscriber);
    if (!listeners.has(signal)) {
      const listener = (received: NodeJS.Signals): void => {
        for (const each of [...(subscribers.get(signal) ?? [])]) each(received);
      };
      listeners.set(signal, listener);
      process.on(signal, listener);
    }
  }
  return () => {
    for (const signal of signals) {
      const set = subscribers.get(signal);
      set?.delete(subscriber);
      if (set && set.size === 0) {
        subscribers.delete(signal);
        const listener = listeners.get(signal);
        if (listener) process.off(signal, listener);
        listeners.delete(signal);
      }
    }
  };
}

/** How many process listeners this module holds for `signal` (0 or 1): for tests and diagnostics. */
export function installedSignalListeners(signal: NodeJS.Signals): number {
  return listeners.has(signal) ? 1 : 0;
}
