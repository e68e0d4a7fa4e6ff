/**
 * Liveness and readiness. A {@link HealthRegistry} collects user checks (sync or async, each bounded by a
 * timeout, never throwing out), broker connection states and a draining flag, and answers `liveness()` and
 * `readiness()` with a status code and a small JSON body. Details are short, single-line and never carry an
 * error's message or stack: a thrown error shows only its catalogue code or its class name.
 */
import { ERRORS, MicroservicesError } from '../errors.js';

/** The state of one broker connection, as the queue parts report it. */
export type ConnectionState = 'up' | 'connecting' | 'reconnecting' | 'down';

/** One line of a health answer. */
export interface HealthCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What `liveness()` and `readiness()` give: the HTTP status to answer with and the JSON body. */
export interface HealthReport {
  readonly status: 200 | 503;
  readonly body: { readonly status: 'ok' | 'unavailable'; readonly checks: readonly HealthCheckResult[] };
}

/**
 * A user check: passing means returning (or resolving) anything but `false` or `{ ok: false }`; throwing or
 * rejecting fails it. Return `{ ok: false, detail: 'replica lag 40 s' }` to explain a failure.
 */
export type HealthCheck = () => unknown;

/** Options of {@link HealthRegistry.check}. */
export interface HealthCheckOptions {
  /** A check still running after this long fails with "timed out". Default 2 000 ms. */
  readonly timeoutMs?: number;
  /** Also run it for liveness (default: readiness only). Keep liveness checks about this process only. */
  readonly liveness?: boolean;
}

interface Registered {
  readonly fn: HealthCheck;
  readonly timeoutMs: number;
  readonly liveness: boolean;
  running: Promise<HealthCheckResult> | undefined;
}

const MAX_DETAIL = 200;
const NAME_PATTERN = /^[A-Za-z0-9_.:/-]{1,100}$/;

/** One line, bounded, with any `scheme://user:password@` credentials masked. */
function cleanDetail(detail: string): string {
  const masked = detail.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, '$1:**@');
  const line = masked.replace(/[\r\n\t]+/g, ' ').trim();
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

/** What a thrown value may show: a catalogue code or a class name, never its message (it may hold secrets). */
function describeThrown(error: unknown): string {
  if (error instanceof MicroservicesError) return `failed: ${error.code}`;
  if (error instanceof Error && /^[A-Za-z]{1,50}$/.test(error.name)) return `failed: ${error.name}`;
  return 'failed';
}

function resultOf(name: string, value: unknown): HealthCheckResult {
  if (value === false) return { name, ok: false };
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const { ok, detail } = value as { ok: unknown; detail?: unknown };
    const clean = typeof detail === 'string' && detail !== '' ? { detail: cleanDetail(detail) } : {};
    return { name, ok: ok !== false, ...clean };
  }
  return { name, ok: true };
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw ERRORS.MS_OPS_INVALID_OPTION(
      `a health check or connection name must be 1-100 characters of A-Z a-z 0-9 _ . : / -, got ${JSON.stringify(name.slice(0, 120))}`,
    );
  }
}

/**
 * Health and readiness state for one process. Readiness is 200 only while every reported connection is `up`,
 * every check passes and the process is neither starting nor draining; liveness is 200 unless a liveness check fails.
 * @example
 * const health = new HealthRegistry();
 * health.check('database', async () => { await pool.query('select 1'); }, { timeoutMs: 1_000 });
 * health.setConnectionState('rabbitmq', 'connecting');
 * const { status, body } = await health.readiness(); // 503, body.checks lists rabbitmq: connecting
 */
export class HealthRegistry {
  readonly #checks = new Map<string, Registered>();
  readonly #connections = new Map<string, ConnectionState>();
  /** Other parts' registries whose readiness counts here (an HTTP service's `/readyz` covers the queue worker). */
  readonly #included = new Set<HealthRegistry>();
  #draining = false;
  #starting = false;

  /** Adds a check; returns a function that removes it. A name can be registered once. */
  check(name: string, fn: HealthCheck, options: HealthCheckOptions = {}): () => void {
    checkName(name);
    if (typeof fn !== 'function') throw ERRORS.MS_OPS_INVALID_OPTION(`check ${name}: not a function`);
    if (this.#checks.has(name)) {
      throw ERRORS.MS_OPS_INVALID_OPTION(`a health check named ${name} is already registered`);
    }
    const timeoutMs = options.timeoutMs ?? 2_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 60_000) {
      throw ERRORS.MS_OPS_INVALID_OPTION(`check ${name}: timeoutMs must be in (0, 60000]`);
    }
    const entry: Registered = { fn, timeoutMs, liveness: options.liveness === true, running: undefined };
    this.#checks.set(name, entry);
    return () => {
      if (this.#checks.get(name) === entry) this.#checks.delete(name);
    };
  }

  /** Records the state of a broker connection (by a name without credentials: `rabbitmq`, `redis-cache`). */
  setConnectionState(name: string, state: ConnectionState): void {
    checkName(name);
    this.#connections.set(name, state);
  }

  /** Forgets a connection (its part closed for good). */
  removeConnection(name: string): void {
    this.#connections.delete(name);
  }

  /** Marks the process as draining (readiness 503) or, with `false`, as serving again. */
  setDraining(draining = true): void {
    this.#draining = draining;
  }

  /** Marks the process as starting (readiness 503 until the parts are up) or, with `false`, as started. */
  setStarting(starting = true): void {
    this.#starting = starting;
  }

  /**
   * Makes `other`'s readiness (its connections, checks, starting and draining) count in this one's; cycles
   * and repeats are harmless. `run(...)` uses it so every HTTP part's `/readyz` covers the queue parts too.
   * @example app.health.include(worker.health);
   */
  include(other: HealthRegistry): void {
    if (other !== this) this.#included.add(other);
  }

  /** True while draining. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Liveness: the liveness checks only; connections and draining do not count (a restart would not help). */
  async liveness(): Promise<HealthReport> {
    return report(await this.#run((entry) => entry.liveness));
  }

  /** Readiness: starting, draining, every connection and every check. */
  async readiness(): Promise<HealthReport> {
    return report(await this.#readinessChecks(new Set()));
  }

  async #readinessChecks(seen: Set<HealthRegistry>): Promise<HealthCheckResult[]> {
    seen.add(this);
    const checks: HealthCheckResult[] = [];
    if (this.#starting) checks.push({ name: 'starting', ok: false, detail: 'starting' });
    if (this.#draining) checks.push({ name: 'draining', ok: false, detail: 'shutting down' });
    for (const [name, state] of this.#connections) {
      checks.push(state === 'up' ? { name, ok: true } : { name, ok: false, detail: state });
    }
    checks.push(...(await this.#run(() => true)));
    for (const other of this.#included) {
      if (seen.has(other)) continue;
      for (const check of await other.#readinessChecks(seen)) {
        // Starting and draining are one fact for the process: listed once.
        if (!checks.some((each) => each.name === check.name && each.ok === check.ok)) checks.push(check);
      }
    }
    return checks;
  }

  #run(filter: (entry: Registered) => boolean): Promise<HealthCheckResult[]> {
    const selected = [...this.#checks].filter(([, entry]) => filter(entry));
    return Promise.all(selected.map(([name, entry]) => this.#runOne(name, entry)));
  }

  /** Runs a check, sharing one run between concurrent probes so a probe flood cannot multiply the work. */
  #runOne(name: string, entry: Registered): Promise<HealthCheckResult> {
    entry.running ??= runBounded(name, entry).finally(() => {
      entry.running = undefined;
    });
    return entry.running;
  }
}

function runBounded(name: string, entry: Registered): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ name, ok: false, detail: `timed out after ${entry.timeoutMs} ms` }),
      entry.timeoutMs,
    );
    timer.unref();
  });
  const ran = Promise.resolve()
    .then(entry.fn)
    .then(
      (value) => resultOf(name, value),
      (error: unknown) => ({ name, ok: false, detail: describeThrown(error) }),
    );
  return Promise.race([ran, timedOut]).finally(() => clearTimeout(timer));
}

function report(checks: HealthCheckResult[]): HealthReport {
  const ok = checks.every((check) => check.ok);
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', checks } };
}
