/**
 * Checks the options of the queue service, its queues, the client and the transports at construction, so
 * that `workers: NaN` (as from `Number(process.env.UNSET)`) or a misspelt option fails at once with a clear
 * `MS_QUEUE_BAD_OPTION` instead of taking messages and never running a handler, or being silently ignored
 * (issue 10 item 11).
 */
import { ERRORS, type MicroservicesError } from '../errors.js';

type Options = Readonly<Record<string, unknown>>;

function bad(where: string, message: string): MicroservicesError {
  return ERRORS.MS_QUEUE_BAD_OPTION(`${where}: ${message}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  return value === null ? 'null' : typeof value;
}

/**
 * Refuses keys that are not in `known`.
 * @example assertKnownKeys('queue "q"', { prefetchSize: 1 }, ['prefetchCount']); // throws MS_QUEUE_BAD_OPTION
 */
export function assertKnownKeys(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw bad(where, `options must be an object, not ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw bad(
      where,
      `unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 64)}"`).join(', ')}; known: ${known.join(', ')}`,
    );
  }
}

export interface NumberRule {
  /** Whole numbers only. */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Infinity is accepted (e.g. `maxAttempts`). */
  readonly infinite?: boolean;
}

/**
 * Refuses a numeric option that is not a finite number within its bounds; undefined passes.
 * @example assertNumber('service', 'workers', Number.NaN, { integer: true, min: 0 }); // throws
 */
export function assertNumber(where: string, name: string, value: unknown, rule: NumberRule = {}): void {
  if (value === undefined) return;
  const infiniteOk = rule.infinite === true && value === Number.POSITIVE_INFINITY;
  const valid =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || infiniteOk) &&
    (!rule.integer || Number.isInteger(value) || infiniteOk) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (!valid) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const range = [rule.min === undefined ? '' : ` >= ${rule.min}`, rule.max === undefined ? '' : ` <= ${rule.max}`]
      .filter(Boolean)
      .join(' and');
    throw bad(where, `"${name}" must be ${kind}${range}, not ${describeValue(value)}`);
  }
}

/** Refuses a non-boolean where a boolean is expected; undefined passes. */
export function assertBoolean(where: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw bad(where, `"${name}" must be true or false, not ${describeValue(value)}`);
  }
}

/** Refuses a non-function where a function is expected; undefined passes. */
export function assertFunction(where: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw bad(where, `"${name}" must be a function, not ${describeValue(value)}`);
  }
}

/** AMQP's shortstr limit, which every transport keeps so a name works on each. */
const MAX_NAME_LENGTH = 255;

/**
 * Refuses a queue or exchange name no broker takes: empty, over 255 characters (with `suffix`, e.g. the
 * dead-letter queue's `.dead-letter`), or in RabbitMQ's reserved `amq.` namespace.
 * @example assertName('queue', 'amq.jobs'); // throws MS_QUEUE_INVALID_NAME
 */
export function assertName(what: 'queue' | 'exchange', name: unknown, suffix = ''): void {
  if (typeof name !== 'string' || name === '') {
    throw ERRORS.MS_QUEUE_INVALID_NAME(`a ${what} needs a non-empty name`);
  }
  if (name.length + suffix.length > MAX_NAME_LENGTH) {
    throw ERRORS.MS_QUEUE_INVALID_NAME(
      `${what} name "${name.slice(0, 40)}…" is ${name.length} characters${suffix ? ` (plus "${suffix}")` : ''}; the limit is ${MAX_NAME_LENGTH}`,
    );
  }
  if (name.startsWith('amq.')) {
    throw ERRORS.MS_QUEUE_INVALID_NAME(`${what} name "${name.slice(0, 64)}": "amq." is reserved by RabbitMQ`);
  }
}

const DURATION: NumberRule = { min: 0, max: 2 ** 31 - 1 };
/** Timers fire at once past 2^31 - 1 ms (Node's TimeoutOverflowWarning), so longer durations are refused. */
const TIMEOUT: NumberRule = { min: 1, max: 2 ** 31 - 1 };

/** Checks `reconnect` (service, client and transport options). */
export function assertReconnect(where: string, reconnect: unknown): void {
  assertKnownKeys(`${where} reconnect`, reconnect, ['enabled', 'initialDelayMs', 'maxDelayMs', 'maxAttempts']);
  if (reconnect === undefined) return;
  const options = reconnect as Options;
  assertBoolean(where, 'reconnect.enabled', options.enabled);
  assertNumber(where, 'reconnect.initialDelayMs', options.initialDelayMs, DURATION);
  assertNumber(where, 'reconnect.maxDelayMs', options.maxDelayMs, DURATION);
  assertNumber(where, 'reconnect.maxAttempts', options.maxAttempts, { integer: true, min: 1, infinite: true });
}

/** Checks `retry` (service and queue options). */
export function assertRetry(where: string, retry: unknown): void {
  assertKnownKeys(`${where} retry`, retry, ['maxRetries', 'backoff']);
  if (retry === undefined) return;
  const options = retry as Options;
  assertNumber(where, 'retry.maxRetries', options.maxRetries, { integer: true, min: 0 });
  assertKnownKeys(`${where} retry.backoff`, options.backoff, ['initialDelayMs', 'maxDelayMs', 'jitter']);
  const backoff = (options.backoff ?? {}) as Options;
  assertNumber(where, 'retry.backoff.initialDelayMs', backoff.initialDelayMs, DURATION);
  assertNumber(where, 'retry.backoff.maxDelayMs', backoff.maxDelayMs, DURATION);
  assertNumber(where, 'retry.backoff.jitter', backoff.jitter, { min: 0, max: 1 });
}

/** Checks the numeric options every transport accepts besides its URL. */
export function assertTransportOptions(where: string, options: Options): void {
  assertReconnect(where, options.reconnect);
  assertNumber(where, 'publishTimeoutMs', options.publishTimeoutMs, TIMEOUT);
  assertNumber(where, 'heartbeatSeconds', options.heartbeatSeconds, { min: 0, max: 86_400 });
}

export { DURATION, TIMEOUT };
