/**
 * What every transport shares around its broker: the close-once lifecycle and the signal it aborts, the
 * publishes still in flight that close waits for, the consumer registry, the catalogue errors for "closed"
 * and "not connected", and the topology calls, which go to the broker's declarations (`topology()`).
 * A broker's transport extends it and supplies connect, publish, consume, replies and its shut-down.
 */
import { ERRORS, type MicroservicesError } from '../../../errors.js';
import type {
  ConsumeOptions,
  ExchangeOptions,
  OutgoingMessage,
  PublishOptions,
  PublishTarget,
  QueueOptions,
  Transport,
} from '../transport.js';
import { ConsumerRegistry } from './consumer-registry.js';
import { TransportEventEmitter } from './events.js';

/** A broker's declarations: the topology half of the contract, as the broker implements it. */
export type TopologyPrimitives = Pick<
  Transport,
  'declareQueue' | 'declareExchange' | 'bindQueue' | 'deleteQueue' | 'deleteExchange' | 'purgeQueue' | 'hasExchange'
>;

/**
 * @example
 * class MyTransport extends TransportBase<MySubscription> implements Transport {
 *   protected topology() { return this.#declarations; }
 *   protected async shutDown() { await this.consumers.stopAll((each) => each.cancel()); await this.settlePending(); }
 * }
 */
export abstract class TransportBase<C> extends TransportEventEmitter implements TopologyPrimitives {
  /** `scheme://host/...` with any password masked; safe to log. */
  readonly name: string;
  /** Every consumer handed out and not yet cancelled; re-subscribed after a reconnect. */
  protected readonly consumers = new ConsumerRegistry<C>();
  readonly #closing = new AbortController();
  /** Publishes tracked and not settled yet, and who waits for there to be none. */
  #pending = 0;
  #whenSettled: (() => void)[] = [];
  #closed: Promise<void> | undefined;
  #closeCalled = false;
  /** Set with `closingSignal`: publishes are refused from then on (a broker may drain before, as AMQP does). */
  #refusing = false;
  #consumerCount = 0;

  constructor(name: string) {
    super();
    this.name = name;
  }

  /** The broker's declarations; throws a catalogue error (closed, not connected) when it cannot declare now. */
  protected abstract topology(): TopologyPrimitives;

  /** The broker's publish; `publish` has refused it already when closing was signalled, not before. */
  protected abstract send(target: PublishTarget, message: OutgoingMessage, options?: PublishOptions): Promise<void>;

  /** Stops what this broker runs (consumers, pending publishes, connections); called once, by close(). */
  protected abstract shutDown(): Promise<void>;

  override toString(): string {
    return this.name;
  }

  /** Cancels consumers, waits for pending publishes to settle, and closes. Idempotent. */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      // Set before shutDown() starts, so that what it runs synchronously already sees the transport closing.
      this.#closeCalled = true;
      this.#closed = this.shutDown().finally(() => this.abortClosing());
    }
    return this.#closed;
  }

  /** True from the first close() on. */
  protected get isClosing(): boolean {
    return this.#closeCalled;
  }

  /** Aborted (with `MS_QUEUE_CLOSED`) by abortClosing(), at the latest when close() has shut down. */
  protected get closingSignal(): AbortSignal {
    return this.#closing.signal;
  }

  /** Aborts `closingSignal`: what waits for a connection or a timer gives up now. */
  protected abortClosing(): void {
    this.#refusing = true;
    if (!this.#closing.signal.aborted) this.#closing.abort(this.closedError());
  }

  /** The caller's signal joined with `closingSignal`. */
  protected until(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
  }

  protected closedError(): MicroservicesError {
    return ERRORS.MS_QUEUE_CLOSED(`${this.name} is closed`);
  }

  protected notConnectedError(): MicroservicesError {
    return ERRORS.MS_QUEUE_NOT_CONNECTED(`${this.name} is not connected`);
  }

  /** The caller's consumer tag, else `<prefix>-<n>` (n counts this transport's consumers). */
  protected consumerTagFor(options: ConsumeOptions, prefix: string): string {
    this.#consumerCount += 1;
    return options.consumerTag ?? `${prefix}-${this.#consumerCount}`;
  }

  /** Remembers a publish until it settles, so that close can wait for it; returns it unchanged. */
  protected track<T>(pending: Promise<T>): Promise<T> {
    this.#pending += 1;
    pending.then(this.#untrack, this.#untrack);
    return pending;
  }

  /** One function for every publish (no closure per publish): counts a settled publish. */
  readonly #untrack = (): void => {
    this.#pending -= 1;
    if (this.#pending > 0) return;
    const waiting = this.#whenSettled;
    this.#whenSettled = [];
    for (const resolve of waiting) resolve();
  };

  /** Resolves when no tracked publish is pending any more, whichever way they settled. */
  protected settlePending(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenSettled.push(resolve));
  }

  /** Rejects with `MS_QUEUE_CLOSED` once closing has been signalled (abortClosing); otherwise the broker's `send`. */
  publish(target: PublishTarget, message: OutgoingMessage, options?: PublishOptions): Promise<void> {
    if (this.#refusing) return Promise.reject(this.closedError());
    return this.send(target, message, options);
  }

  declareQueue(name: string, options?: QueueOptions): Promise<void> {
    return this.#declare((topology) => topology.declareQueue(name, options));
  }

  declareExchange(name: string, options: ExchangeOptions): Promise<void> {
    return this.#declare((topology) => topology.declareExchange(name, options));
  }

  bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    return this.#declare((topology) => topology.bindQueue(queue, exchange, routingKey));
  }

  deleteQueue(name: string): Promise<void> {
    return this.#declare((topology) => topology.deleteQueue(name));
  }

  deleteExchange(name: string): Promise<void> {
    return this.#declare((topology) => topology.deleteExchange(name));
  }

  purgeQueue(name: string): Promise<number> {
    return this.#declare((topology) => topology.purgeQueue(name));
  }

  hasExchange(name: string): Promise<boolean> {
    return this.#declare((topology) => topology.hasExchange(name));
  }

  /** Never a synchronous throw: a refused call is a rejected promise. */
  #declare<T>(run: (topology: TopologyPrimitives) => Promise<T>): Promise<T> {
    try {
      return run(this.topology());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
