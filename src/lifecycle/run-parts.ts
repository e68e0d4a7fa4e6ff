/**
 * The root-level orchestrator: starts any mix of parts in order (clients, other parts, queue services, HTTP
 * services), and on SIGINT/SIGTERM (or `handle.stop()`) stops them in the reverse order within one drain
 * deadline. It never calls `process.exit` unless the caller opted in.
 */
import { constants } from 'node:os';
import { readEnv } from '../config/env.js';
import { ERRORS } from '../errors.js';
import { getLogger } from '../logging.js';
import { type CloseHook, isPart, kindRank, type Part } from './part.js';
import { onSignals } from './signals.js';

/** Options of {@link runParts}; pass them as the last argument. */
export interface RunPartsOptions {
  /** How long the whole stop sequence may take before the exit code turns non-zero. Default `SHUTDOWN_TIMEOUT_MS`, else 10 000 ms. */
  readonly drainTimeoutMs?: number;
  /** After the deadline, how long the remaining parts and hooks still get to close. Default 1 000 ms. */
  readonly closeGraceMs?: number;
  /** The signals that start the stop sequence; `false` installs none. Default `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[] | false;
  /** Opt in to `process.exit(code)` once a signal-triggered stop ends (or at once on a second signal). */
  readonly exitOnSignal?: boolean;
  /** `'process'` is the same opt-in as `exitOnSignal: true`; `'none'` (the default) never exits. */
  readonly exit?: 'process' | 'none';
  /**
   * A readiness source (a `HealthRegistry` fits): marked starting until every part started, and draining first
   * when stopping.
   */
  readonly health?: { setDraining(draining?: boolean): void; setStarting?(starting?: boolean): void };
  /** Called first when stopping, before any part stops (readiness goes not-ready here). */
  readonly onDraining?: () => void;
  /** Hooks run after every part stopped, in reverse order. */
  readonly onClose?: CloseHook | readonly CloseHook[];
}

/** Why a run stopped. */
export type StopReason = 'stopped' | 'signal' | 'drain-timeout' | 'stop-failed' | 'start-failed' | 'second-signal';

/** The outcome of a run: `code` is the exit code a process should end with. */
export interface StopResult {
  readonly code: number;
  readonly reason: StopReason;
  readonly signal?: NodeJS.Signals;
}

/** What {@link runParts} resolves to once every part started. */
export interface RunHandle {
  /** The parts in registration order. */
  readonly parts: readonly Part[];
  /** Settles once the run stopped, whatever stopped it (never rejects). */
  readonly stopped: Promise<StopResult>;
  /** Stops the run (as a signal would, but never exits the process); the same promise as `stopped`. */
  stop(): Promise<StopResult>;
  /** Adds a hook run after every part stopped (hooks run in reverse registration order). */
  onClose(fn: CloseHook): void;
  /** Removes this run's signal subscriptions (the process listener goes once no run needs it). */
  removeSignalHandlers(): void;
}

const log = getLogger('microservices.lifecycle');

interface Trigger {
  readonly reason: 'stopped' | 'signal' | 'start-failed';
  readonly signal?: NodeJS.Signals;
}

type Outcome = 'done' | 'failed' | 'timeout';

/** 128 + the signal number, the shell's convention for "killed by a signal". */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 1);
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw ERRORS.MS_OPS_INVALID_OPTION(`${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

class PartsRun {
  readonly #parts: readonly Part[];
  readonly #options: RunPartsOptions;
  readonly #drainMs: number;
  readonly #graceMs: number;
  readonly #hooks: CloseHook[] = [];
  readonly #started: Part[] = [];
  #stopping: Promise<StopResult> | undefined;
  #settled = false;
  #resolveStopped!: (result: StopResult) => void;
  readonly stopped = new Promise<StopResult>((resolve) => {
    this.#resolveStopped = resolve;
  });
  #offSignals: () => void = () => {};
  /** Aborts the running drain (a second signal); set while stopping. */
  #abortDrain: (() => void) | undefined;

  constructor(parts: readonly Part[], options: RunPartsOptions) {
    this.#parts = parts;
    this.#options = options;
    this.#drainMs = checkMs('drainTimeoutMs', options.drainTimeoutMs ?? readEnv().shutdownTimeoutMs, 10_000);
    this.#graceMs = checkMs('closeGraceMs', options.closeGraceMs, 1_000);
    const hooks = options.onClose;
    if (typeof hooks === 'function') this.#hooks.push(hooks);
    else if (hooks) this.#hooks.push(...hooks);
  }

  get #exitOptIn(): boolean {
    return this.#options.exitOnSignal === true || this.#options.exit === 'process';
  }

  async start(): Promise<void> {
    const signals = this.#options.signals === false ? [] : (this.#options.signals ?? ['SIGINT', 'SIGTERM']);
    if (signals.length > 0) this.#offSignals = onSignals(signals, (signal) => this.#onSignal(signal));
    this.#options.health?.setStarting?.(true);
    try {
      await this.#startRanks();
    } finally {
      this.#options.health?.setStarting?.(false);
    }
  }

  async #startRanks(): Promise<void> {
    const ranks = [...new Set(this.#parts.map((part) => kindRank(part.kind)))].sort((a, b) => a - b);
    for (const rank of ranks) {
      if (this.#stopping) return;
      const group = this.#parts.filter((part) => kindRank(part.kind) === rank);
      // A part counts as started once start() is called: a stop (a signal mid-start, or a failure of another
      // part) must reach a client still connecting too, not wait for it.
      this.#started.push(...group);
      const results = await Promise.allSettled(
        group.map(async (part) => {
          await part.start();
          if (!this.#stopping) await part.ready();
        }),
      );
      if (this.#stopping) return; // stopped mid-start: start errors are expected then
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) {
        log.exception('a part failed to start; stopping every part started so far', failure.reason);
        await this.#beginStop({ reason: 'start-failed' });
        throw failure.reason;
      }
    }
  }

  stop(): Promise<StopResult> {
    this.#beginStop({ reason: 'stopped' });
    return this.stopped;
  }

  onClose(fn: CloseHook): void {
    this.#hooks.push(fn);
  }

  removeSignalHandlers(): void {
    this.#offSignals();
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (!this.#stopping) {
      log.info(`received ${signal}: stopping`);
      this.#beginStop({ reason: 'signal', signal });
      return;
    }
    // A second signal means "now": settle at once and leave the hanging drain behind.
    const code = signalExitCode(signal);
    log.warn(`received ${signal} again: exiting without waiting for the drain`);
    this.#settle({ code, reason: 'second-signal', signal });
    this.#abortDrain?.();
    if (this.#exitOptIn) process.exit(code);
  }

  #settle(result: StopResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#offSignals();
    this.#resolveStopped(result);
  }

  #beginStop(trigger: Trigger): Promise<StopResult> {
    this.#stopping ??= this.#stopAll(trigger).then((result) => {
      const first = !this.#settled;
      this.#settle(result);
      if (first && trigger.reason === 'signal' && this.#exitOptIn) process.exit(result.code);
      return result;
    });
    return this.#stopping;
  }

  async #stopAll(trigger: Trigger): Promise<StopResult> {
    const deadline = Date.now() + this.#drainMs;
    const controller = new AbortController();
    let graceOver = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const deadlinePassed = new Promise<'timeout'>((resolve) => {
      controller.signal.addEventListener('abort', () => resolve('timeout'), { once: true });
    });
    const gracePassed = deadlinePassed.then(
      () =>
        new Promise<'timeout'>((resolve) => {
          graceTimer = setTimeout(() => {
            graceOver = true;
            resolve('timeout');
          }, this.#graceMs);
        }),
    );
    // Kept referenced: a hanging stop must not let the event loop empty and the process end with code 0.
    const timer = setTimeout(() => controller.abort(new Error('drain deadline passed')), this.#drainMs);
    this.#abortDrain = () => {
      clearTimeout(timer);
      controller.abort(new Error('stopped by a second signal'));
    };
    const context = { deadline, signal: controller.signal };
    let timedOut = false;
    let failed = trigger.reason === 'start-failed';

    const wait = async (label: string, work: () => void | Promise<void>): Promise<Outcome> => {
      if (graceOver) {
        timedOut = true;
        log.warn(`${label}: skipped, the drain deadline and close grace passed`);
        return 'timeout';
      }
      const limit = controller.signal.aborted ? gracePassed : deadlinePassed;
      const outcome = await Promise.race([
        Promise.resolve()
          .then(work)
          .then(
            (): Outcome => 'done',
            (error: unknown): Outcome => {
              log.exception(`${label} failed`, error);
              return 'failed';
            },
          ),
        limit,
      ]);
      if (outcome === 'timeout') {
        timedOut = true;
        log.warn(`${label}: the drain deadline (${this.#drainMs} ms) passed`);
      }
      if (outcome === 'failed') failed = true;
      return outcome;
    };

    await wait('readiness', () => {
      this.#options.health?.setDraining(true);
      this.#options.onDraining?.();
    });
    const ranks = [...new Set(this.#started.map((part) => kindRank(part.kind)))].sort((a, b) => b - a);
    for (const rank of ranks) {
      const group = this.#started.filter((part) => kindRank(part.kind) === rank).reverse();
      const label = (part: Part): string => `stopping ${part.kind} ${part.name ?? ''}`.trim();
      if (rank >= kindRank('queue-service')) {
        // Services drain side by side: each gets the whole remaining deadline.
        await Promise.all(group.map((part) => wait(label(part), () => part.stop(context))));
      } else {
        for (const part of group) await wait(label(part), () => part.stop(context));
      }
    }
    for (const hook of [...this.#hooks].reverse()) await wait('an onClose hook', hook);
    clearTimeout(timer);
    clearTimeout(graceTimer);
    const signal = trigger.signal === undefined ? {} : { signal: trigger.signal };
    if (timedOut) return { code: 1, reason: 'drain-timeout', ...signal };
    if (failed)
      return { code: 1, reason: trigger.reason === 'start-failed' ? 'start-failed' : 'stop-failed', ...signal };
    return { code: 0, reason: trigger.reason, ...signal };
  }
}

/**
 * Starts `parts` in order (clients, other kinds, queue services, then HTTP services; one kind side by side),
 * subscribes to SIGINT and SIGTERM once, and on the first signal stops everything in the reverse order:
 * readiness goes not-ready, HTTP services stop accepting and drain, queue services stop consuming and finish
 * in-flight handlers, then clients and `onClose` hooks close in reverse registration order. `stopped` settles
 * with code 0, or 1 when the drain deadline passed or a stop failed; a second signal settles it at once with
 * 128 + the signal number. `process.exit` is called only with `exitOnSignal: true` or `exit: 'process'`.
 * Resolves once every part started; rejects (after stopping what started) when a part fails to start.
 * Named `runParts` at the root because `run` there is the HTTP service's runner.
 * @example
 * const handle = await runParts(eventsClient, worker, api, { drainTimeoutMs: 15_000, health });
 * const { code } = await handle.stopped;
 * process.exitCode = code;
 */
export async function runParts(...args: [...Part[], RunPartsOptions] | Part[]): Promise<RunHandle> {
  const last = args.at(-1);
  const hasOptions = last !== undefined && !isPart(last);
  const parts = (hasOptions ? args.slice(0, -1) : args) as Part[];
  for (const part of parts) {
    if (!isPart(part)) throw ERRORS.MS_OPS_INVALID_OPTION('runParts takes parts, then options');
  }
  const run = new PartsRun(parts, hasOptions ? (last as RunPartsOptions) : {});
  await run.start();
  return {
    parts,
    stopped: run.stopped,
    stop: () => run.stop(),
    onClose: (fn) => run.onClose(fn),
    removeSignalHandlers: () => run.removeSignalHandlers(),
  };
}
