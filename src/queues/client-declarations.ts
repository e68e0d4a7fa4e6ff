/**
 * The queue client's producer-side declarations (issue 14 part 2): `client.queue(name).publish()` declares
 * its queue once per client, as the service would (`declareServiceQueue`), before the first publish.
 * Concurrent first publishes share one declaration; a failed one is forgotten so the next publish tries again.
 */
import { ERRORS } from '../errors.js';
import type { PublisherContract } from './contracts.js';
import { assertBoolean, assertKnownKeys } from './options.js';
import { checkTopologyOptions, declareServiceQueue, type QueueTopologyOptions } from './queue-topology.js';
import type { Transport } from './transports/transport.js';

/** What `client.queue(name, options)` takes besides its contract (`schema`, `validate`). */
export interface QueueHandleOptions extends QueueTopologyOptions {
  /** Declare the queue before the first publish. Default: the client's `declare` (itself true by default). */
  readonly declare?: boolean;
}

const TOPOLOGY_KEYS = ['deadLetter', 'maxPriority'];
const HANDLE_KEYS = ['declare', ...TOPOLOGY_KEYS];

/** Refuses unknown or bad `declareQueue` options. */
export function checkDeclareQueueOptions(name: string, options: QueueTopologyOptions): void {
  const where = `declareQueue("${String(name).slice(0, 64)}") options`;
  assertKnownKeys(where, options, TOPOLOGY_KEYS);
  checkTopologyOptions(where, options);
}

/** Splits `client.queue(name, options)` into its contract and its declaration options, checking the latter. */
export function splitQueueHandleOptions(
  name: string,
  options: (PublisherContract & QueueHandleOptions) | undefined,
): { contract: PublisherContract | undefined; declaration: QueueHandleOptions } {
  if (options === undefined || typeof options !== 'object' || options === null) {
    return { contract: options, declaration: {} };
  }
  const { declare, deadLetter, maxPriority, ...contract } = options;
  const declaration: QueueHandleOptions = {
    ...(declare === undefined ? {} : { declare }),
    ...(deadLetter === undefined ? {} : { deadLetter }),
    ...(maxPriority === undefined ? {} : { maxPriority }),
  };
  const where = `client.queue("${String(name).slice(0, 64)}") options`;
  assertKnownKeys(where, declaration, HANDLE_KEYS);
  assertBoolean(where, 'declare', declaration.declare);
  checkTopologyOptions(where, declaration);
  const hasContract = Object.keys(contract).length > 0;
  return { contract: hasContract ? contract : undefined, declaration };
}

/**
 * The declarations one client made, by queue name.
 * @example
 * const declarations = new QueueDeclarations(true);
 * await declarations.declare(transport, 'jobs', {}); // declares; a second call shares the first
 */
export class QueueDeclarations {
  readonly #byDefault: boolean;
  readonly #pending = new Map<string, { readonly options: string; readonly done: Promise<void> }>();
  readonly #done = new Set<string>();

  constructor(byDefault: boolean) {
    this.#byDefault = byDefault;
  }

  /** Whether a handle with these options declares before publishing. */
  enabled(options: QueueHandleOptions): boolean {
    return options.declare ?? this.#byDefault;
  }

  /** True once `name` was declared through this client (publishes then go straight to the transport). */
  done(name: string): boolean {
    return this.#done.has(name);
  }

  /** Declares `name` once; a second call with other topology options is refused rather than ignored. */
  declare(transport: Transport, name: string, options: QueueTopologyOptions): Promise<void> {
    const topology = JSON.stringify([options.deadLetter ?? null, options.maxPriority ?? null]);
    const known = this.#pending.get(name);
    if (known) {
      if (known.options !== topology) {
        return Promise.reject(
          ERRORS.MS_QUEUE_BAD_OPTION(
            `queue "${name}" was declared by this client with other options (deadLetter, maxPriority): ${known.options}`,
          ),
        );
      }
      return known.done;
    }
    const entry = {
      options: topology,
      // Without an explicit `deadLetter` the service's own dead-letter setting is left as it is.
      done: declareServiceQueue(transport, name, options, { claimDeadLetter: options.deadLetter !== undefined }).then(
        () => {
          if (this.#pending.get(name) === entry) this.#done.add(name);
        },
        (error: unknown) => {
          if (this.#pending.get(name) === entry) this.#pending.delete(name);
          throw error;
        },
      ),
    };
    this.#pending.set(name, entry);
    return entry.done;
  }

  /** Forgets `name` (after deleteQueue), so the next publish declares it again. */
  forget(name: string): void {
    this.#pending.delete(name);
    this.#done.delete(name);
  }
}
