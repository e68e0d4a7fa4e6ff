/**
 * When a failed attempt may be sent again, and how long to wait first. Only what cannot do harm twice is
 * retried: idempotent methods (or a call with an idempotency key) after a broken connection or a 429, 502, 503
 * or 504; any method when the connection was never made (nothing was sent).
 */
import { backoffDelay } from '../internal/backoff.js';
import { checkDelay, checkWhole } from './option-checks.js';
import type { RetryOptions } from './options.js';
import { durationOption, givenName } from './renamed-options.js';

/** Retry settings with every default filled in. */
export interface RetryPolicy {
  readonly retries: number;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly maxRetryAfter: number;
}

/** Retries off. */
export const NO_RETRY: RetryPolicy = { retries: 0, baseDelay: 0, maxDelay: 0, maxRetryAfter: 0 };

/**
 * Fills in the defaults: 2 retries, backoff from 100 ms up to 5 s, `Retry-After` honoured up to 30 s.
 * @example retryPolicy({ retries: 5 }).baseDelay; // 100
 */
export function retryPolicy(options: RetryOptions | false | undefined, fallback?: RetryPolicy): RetryPolicy {
  if (options === false) return NO_RETRY;
  const base = fallback ?? { retries: 2, baseDelay: 100, maxDelay: 5_000, maxRetryAfter: 30_000 };
  if (options === undefined) return base;
  return {
    retries: checkWhole(options.retries ?? base.retries, 'retry.retries', 0),
    baseDelay: checkDelay(
      durationOption(options, 'baseDelayMs') ?? base.baseDelay,
      `retry.${givenName(options, 'baseDelayMs')}`,
    ),
    maxDelay: checkDelay(
      durationOption(options, 'maxDelayMs') ?? base.maxDelay,
      `retry.${givenName(options, 'maxDelayMs')}`,
    ),
    maxRetryAfter: checkDelay(
      durationOption(options, 'maxRetryAfterMs') ?? base.maxRetryAfter,
      `retry.${givenName(options, 'maxRetryAfterMs')}`,
    ),
  };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** The connection was never established, so no byte of the request reached the server. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** The connection broke; the server may or may not have seen the request. */
const CONNECTION_BROKEN = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * Whether the method may be repeated without changing the outcome (or the caller made it so with a key).
 * @example isReplayable('POST', undefined); // false
 */
export function isReplayable(method: string, idempotencyKey: string | undefined): boolean {
  return idempotencyKey !== undefined || IDEMPOTENT.has(method);
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_CONNECTED.has(code) || CONNECTION_BROKEN.has(code))) return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * Whether an attempt that failed with `error` (an undici or socket error) may be sent again.
 * @example shouldRetryError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true); // true
 */
export function shouldRetryError(error: unknown, replayable: boolean): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  return NOT_CONNECTED.has(code) || replayable;
}

/**
 * Whether a response status asks for another attempt.
 * @example shouldRetryStatus(503, true); // true
 */
export function shouldRetryStatus(status: number, replayable: boolean): boolean {
  return replayable && RETRYABLE_STATUS.has(status);
}

/**
 * Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or `undefined` if absent or invalid.
 * @example retryAfterMs('2'); // 2000
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * "Full jitter" backoff: a random wait between 0 and `min(maxDelay, baseDelay * 2^attempt)`.
 * @example backoffMs(retryPolicy(undefined), 0); // somewhere in [0, 100)
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  return backoffDelay(
    attempt + 1,
    { initialDelayMs: policy.baseDelay, maxDelayMs: policy.maxDelay, jitter: 1 },
    random,
  );
}
