/**
 * Checking option values, and resolving deadlines. Node's timers hold at most 2^31-1 ms (about 24.8 days): a
 * longer delay fires at once with a TimeoutOverflowWarning. A longer deadline, `Infinity` included, is therefore
 * clamped to that maximum (it means "no practical limit"); zero, negative, NaN and non-numbers are refused.
 */
import { InvalidOptionError } from './errors.js';
import type { Timeouts } from './options.js';

/** The longest delay a Node timer supports: 2^31-1 ms, about 24.8 days. Longer deadlines are clamped to it. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A call's deadlines, each a positive number of ms no larger than {@link MAX_TIMEOUT_MS}. */
export interface ResolvedTimeouts {
  readonly total: number;
  readonly headers: number;
  readonly body: number;
}

/**
 * A deadline in ms, clamped to {@link MAX_TIMEOUT_MS}; throws `InvalidOptionError` for 0, a negative, NaN or a
 * non-number. `name` names the option in the error.
 * @example checkTimeout(Infinity, 'timeout'); // 2147483647
 */
export function checkTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    const shown = typeof value === 'number' ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
    throw new InvalidOptionError(
      `${name} must be a positive number of milliseconds (Infinity for no practical limit), not ${shown}`,
    );
  }
  return Math.min(value, MAX_TIMEOUT_MS);
}

/**
 * The deadlines of a call: a number sets all three; an object sets the phases it names, over `fallback`.
 * @example resolveTimeouts({ total: 5_000 }, defaults); // { total: 5000, headers: 5000, body: 5000 } with 60 s defaults
 */
export function resolveTimeouts(timeout: number | Timeouts | undefined, fallback: ResolvedTimeouts): ResolvedTimeouts {
  if (timeout === undefined) return fallback;
  if (typeof timeout === 'number') {
    const ms = checkTimeout(timeout, 'timeout');
    return { total: ms, headers: ms, body: ms };
  }
  if (typeof timeout !== 'object' || timeout === null) return { ...fallback, total: checkTimeout(timeout, 'timeout') };
  const phase = (value: number | undefined, name: string): number | undefined =>
    value === undefined ? undefined : checkTimeout(value, `timeout.${name}`);
  const total = phase(timeout.total, 'total') ?? fallback.total;
  return {
    total,
    headers: phase(timeout.headers, 'headers') ?? Math.min(total, fallback.headers),
    body: phase(timeout.body, 'body') ?? total,
  };
}

/**
 * A whole number of at least `min` (a count, a depth, a size); throws `InvalidOptionError` otherwise.
 * @example checkWhole(64, 'maxJsonDepth', 1); // 64
 */
export function checkWhole(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(`${name} must be a whole number of at least ${min}, not ${String(value)}`);
  }
  return value;
}

/**
 * A delay in ms that may be 0 (a backoff, a Retry-After cap); throws `InvalidOptionError` for a negative or NaN.
 * @example checkDelay(100, 'retry.baseDelay'); // 100
 */
export function checkDelay(value: unknown, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be a number of milliseconds of at least 0, not ${String(value)}`);
  }
  return value;
}
