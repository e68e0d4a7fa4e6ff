/**
 * The AMQP connection lifecycle: connect with exponential backoff and jitter, notice a lost connection
 * (socket error, broker restart, missed heartbeats), and connect again until told to stop. Each successful
 * connection is a new *generation*; the owner rebuilds its channels, topology and consumers in `onOpen`
 * before the connection counts as up.
 *
 * Why not amqplib 2's own `recovery` option (a reconnecting model with a setup hook): it retries every
 * failure alike, so a refused login would retry for ever (the conformance test "a login the broker refuses
 * rejects connect() with MS_QUEUE_ACCESS_REFUSED, without retrying", test/conformance/transport-suite.ts),
 * an unknown host would too (here it gives up after DNS_ATTEMPTS), and its first connect takes no abort signal.
 */
import amqp, { type ChannelModel, type Options } from 'amqplib';
import { ERRORS } from '../../../errors.js';
import { backoffDelay, sleep } from '../../../internal/backoff.js';
import { unlessAborted } from '../../../internal/race.js';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import { CLOSE_STEP_TIMEOUT_MS, closeStep } from '../core/close-step.js';
import { failureError } from '../core/failures.js';
import type { ReconnectOptions } from '../transport.js';
import { closeUntilGone } from './close-until-gone.js';
import { connectRefusal, DNS_ATTEMPTS, isDnsFailure } from './refusals.js';

export interface ConnectionHooks {
  /** Builds everything on a fresh connection; a rejection closes it and counts as a failed attempt. */
  onOpen(model: ChannelModel, generation: number): Promise<void>;
  /** Called once per lost connection, before reconnecting starts. */
  onLost(error: Error | undefined): void;
  onConnected(): void;
  onReconnecting(attempt: number, delayMs: number): void;
  onBlocked(reason: string): void;
  onUnblocked(): void;
  /** Reconnecting gave up for good. */
  onGaveUp(error: Error): void;
}

export interface ConnectionSettings {
  readonly endpoint: Options.Connect;
  readonly name: string;
  readonly connectionName: string;
  readonly reconnect: Required<ReconnectOptions>;
  readonly logger: Logger;
}

type State = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/**
 * One logical connection that survives broker restarts.
 * @example
 * const connection = new AmqpConnection(settings, hooks);
 * await connection.open();
 * connection.current?.createChannel();
 */
export class AmqpConnection {
  #state: State = 'idle';
  #model: ChannelModel | undefined;
  #generationCounter = 0;
  #opening: Promise<void> | undefined;
  readonly #stopping = new AbortController();

  readonly #hooks: ConnectionHooks;

  readonly #settings: ConnectionSettings;

  constructor(settings: ConnectionSettings, hooks: ConnectionHooks) {
    this.#hooks = hooks;
    this.#settings = settings;
  }

  /** The live connection, or undefined while down. */
  get current(): ChannelModel | undefined {
    return this.#state === 'open' ? this.#model : undefined;
  }

  get generation(): number {
    return this.#generationCounter;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  get isClosing(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** Connects (retrying when reconnect is enabled); concurrent calls share one attempt. */
  open(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.isClosing) return Promise.reject(ERRORS.MS_QUEUE_CLOSED('The transport is closed'));
    if (!this.#opening) {
      this.#state = 'connecting';
      this.#opening = this.#establish().finally(() => {
        this.#opening = undefined;
      });
    }
    if (!signal) return this.#opening;
    return unlessAborted(this.#opening, signal);
  }

  /**
   * Closes the connection and stops reconnecting. With `brokerAnswering` false (it just left a close step
   * unanswered), the socket is dropped without waiting for a close-ok that would not come either.
   */
  async close(brokerAnswering = true): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closing';
    this.#stopping.abort(ERRORS.MS_QUEUE_CLOSED('The transport is closed'));
    const model = this.#model;
    this.#model = undefined;
    if (model) await closeWithin(model, brokerAnswering ? CLOSE_STEP_TIMEOUT_MS : 0, this.#settings.logger);
    await this.#opening?.catch(() => undefined);
    this.#state = 'closed';
  }

  async #establish(): Promise<void> {
    const { reconnect, logger, name } = this.#settings;
    let dnsFailures = 0;
    for (let attempt = 1; ; attempt++) {
      let model: ChannelModel | undefined;
      try {
        model = await amqp.connect(this.#settings.endpoint, {
          clientProperties: { connection_name: this.#settings.connectionName },
          timeout: 10_000,
          // amqplib leaves Nagle on: a small frame (a batched ack, a publish behind a confirm) written while
          // a segment is unacknowledged would wait for RabbitMQ's delayed ACK.
          noDelay: true,
        });
        this.#watch(model);
        this.#model = model;
        const generation = ++this.#generationCounter;
        await this.#hooks.onOpen(model, generation);
        if (this.#model !== model || this.isClosing) throw new Error('the connection closed while it was being set up');
        this.#state = 'open';
        logger.info(`Connected to mq broker ${name}`);
        this.#hooks.onConnected();
        return;
      } catch (error) {
        if (model && this.#model === model) this.#model = undefined;
        // Bounded like close(): a set-up that failed on a half-open connection gets no close-ok either.
        if (model) await closeWithin(model, CLOSE_STEP_TIMEOUT_MS, logger);
        if (this.isClosing) throw this.#stopping.signal.reason;
        const reason = (error as Error).message;
        dnsFailures = isDnsFailure(error) ? dnsFailures + 1 : 0;
        // A configuration error (refused login, unknown vhost, TLS refused, a host that keeps not resolving)
        // gets the same answer every time: give up at once with the cause, instead of retrying for ever.
        const refusal = connectRefusal(error, this.#settings.endpoint, dnsFailures);
        if (refusal) {
          this.#state = 'idle';
          this.#hooks.onGaveUp(refusal);
          throw refusal;
        }
        if (!reconnect.enabled || attempt >= reconnect.maxAttempts) {
          const final = failureError(
            'unreachable',
            `Could not connect to ${name} after ${attempt} attempt(s): ${reason}`,
            error,
          );
          this.#state = 'idle';
          this.#hooks.onGaveUp(final);
          throw final;
        }
        const delayMs = backoffDelay(attempt, {
          initialDelayMs: reconnect.initialDelayMs,
          maxDelayMs: reconnect.maxDelayMs,
        });
        const dnsNote =
          dnsFailures > 0 ? ` (the host name failed to resolve ${dnsFailures} of ${DNS_ATTEMPTS} times)` : '';
        logger.warn(
          `Connection error, cause: ${reason}${dnsNote}. Reconnecting in ${delayMs} ms (attempt ${attempt})...`,
        );
        this.#hooks.onReconnecting(attempt, delayMs);
        await sleep(delayMs, this.#stopping.signal);
      }
    }
  }

  #watch(model: ChannelModel): void {
    const { logger } = this.#settings;
    let lastError: Error | undefined;
    model.on('error', (error: Error) => {
      lastError = error;
      logWith(logger, 'warn', { err: error }, 'connection error');
    });
    model.on('blocked', (reason: string) => this.#hooks.onBlocked(reason));
    model.on('unblocked', () => this.#hooks.onUnblocked());
    model.on('close', (error?: Error) => {
      if (this.#model !== model) return;
      this.#model = undefined;
      if (this.isClosing) return;
      const wasOpen = this.#state === 'open';
      this.#state = 'connecting';
      const cause = error ?? lastError;
      logger.warn(`connection lost${cause ? `: ${cause.message}` : ''}`);
      this.#hooks.onLost(cause);
      // When the loss happens during set-up, the running attempt fails and retries by itself.
      if (wasOpen && !this.#opening) {
        this.#opening = this.#establish().finally(() => {
          this.#opening = undefined;
        });
        this.#opening.catch((reconnectError: unknown) => {
          logWith(logger, 'error', { err: reconnectError }, 'reconnecting stopped');
        });
      }
    });
  }
}

/**
 * Closes cleanly when the broker answers within `timeoutMs`, ends as soon as the connection is gone, and
 * otherwise drops the socket: on a half-open connection the close-ok never comes, and `close()` must not hang
 * on it. A `timeoutMs` of 0 drops the socket at once, after sending the close.
 */
async function closeWithin(model: ChannelModel, timeoutMs: number, logger: Logger): Promise<void> {
  const closing = closeUntilGone(model);
  if (timeoutMs > 0 && (await closeStep(closing, 'the connection close', logger, timeoutMs))) return;
  // amqplib has no public way to drop a connection's socket.
  (model as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
