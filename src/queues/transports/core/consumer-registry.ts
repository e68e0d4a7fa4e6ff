/**
 * The consumers a transport has handed out, kept so that a new connection gets them all back: after a
 * reconnect each one is re-subscribed in turn (one that fails is reported and the others go on), and on
 * close every one is cancelled before the connection goes.
 */

/**
 * @example
 * const consumers = new ConsumerRegistry<MyConsumer>();
 * consumers.add(consumer);
 * await consumers.resubscribe((each) => each.attach(connection), (each, error) => each.attachLater());
 */
export class ConsumerRegistry<C> implements Iterable<C> {
  readonly #consumers = new Set<C>();

  get size(): number {
    return this.#consumers.size;
  }

  add(consumer: C): C {
    this.#consumers.add(consumer);
    return consumer;
  }

  delete(consumer: C): boolean {
    return this.#consumers.delete(consumer);
  }

  [Symbol.iterator](): Iterator<C> {
    return this.#consumers.values();
  }

  /** After a reconnect: `resubscribe` for each consumer in turn; `failed` hears of each one that threw. */
  async resubscribe(
    resubscribe: (consumer: C) => Promise<void> | void,
    failed: (consumer: C, error: unknown) => void,
  ): Promise<void> {
    for (const consumer of [...this.#consumers]) {
      try {
        await resubscribe(consumer);
      } catch (error) {
        failed(consumer, error);
      }
    }
  }

  /** On close: `stop` for every consumer at once; resolves when all have settled, failed ones included. */
  async stopAll(stop: (consumer: C) => Promise<unknown>): Promise<void> {
    await Promise.allSettled([...this.#consumers].map(async (consumer) => stop(consumer)));
  }
}
