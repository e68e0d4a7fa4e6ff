/**
 * Delayed delivery (issue 14 part 4) shared by the transports: the check every transport makes on
 * `publish(…, { delayMs })`, and the in-process emulation used where the broker has no durable way to hold
 * a message back (MQTT; memory keeps its own timers in the broker). An emulated delayed message lives in the
 * publishing process only: it is lost when that process exits or the transport closes first.
 */
import { ERRORS } from '../../../errors.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { PublishOptions, PublishTarget } from '../transport.js';

/** The longest delay a transport accepts: what a Node.js timer (and AMQP `x-message-ttl`) can hold, about 24.8 days. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The delay a publish asks for, 0 for none. Delays go to queues (the default exchange) only: an exchange
 * publish with a delay is refused, since the copy per bound queue would be held back in as many places.
 * @example delayOf({ exchange: '', routingKey: 'jobs' }, { delayMs: 500 }); // 500
 */
export function delayOf(target: PublishTarget, options: PublishOptions | undefined, transport: string): number {
  const delayMs = options?.delayMs ?? 0;
  if (delayMs <= 0) return 0;
  if (target.exchange !== '') {
    throw ERRORS.MS_QUEUE_BAD_OPTION(
      `${transport}: delayMs applies to queue publishes only, not to exchange "${target.exchange}"`,
    );
  }
  return Math.min(Math.ceil(delayMs), MAX_DELAY_MS);
}

/** The publish options for the moment a held-back message is finally sent (no delay, no stale signal). */
export function withoutDelay(options: PublishOptions | undefined): PublishOptions {
  return options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
}

/**
 * Holds messages back in this process, then publishes them. `publish()` of a delayed message resolves once it
 * is scheduled; a failure when it is finally sent is logged. `close()` drops what is still held, and logs how many.
 * @example
 * const delays = new InProcessDelays(logger, 'mqtt://localhost');
 * delays.schedule(1000, () => transport.publish(target, message));
 */
export class InProcessDelays {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #logger: Logger;
  readonly #transport: string;

  constructor(logger: Logger, transport: string) {
    this.#logger = logger;
    this.#transport = transport;
  }

  /** How many messages are held back now. */
  get held(): number {
    return this.#timers.size;
  }

  schedule(delayMs: number, send: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send().catch((error: unknown) => {
        logWith(
          this.#logger,
          'error',
          { err: error },
          `a delayed message could not be published on ${this.#transport}; it is lost`,
        );
      });
    }, delayMs);
    this.#timers.add(timer);
  }

  /** Drops every message still held back. */
  close(): void {
    if (this.#timers.size > 0) {
      this.#logger.warn(
        `${this.#timers.size} delayed message(s) held in this process were dropped on close of ${this.#transport}`,
      );
    }
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
