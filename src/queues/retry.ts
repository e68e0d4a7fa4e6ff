/**
 * What happens to a message whose handler failed: retried through `nack({requeue: true, delayMs})` with
 * exponential backoff while `attempt <= maxRetries`, then dead-lettered through `nack({requeue: false,
 * headers})` with the error in the headers. Undecodable messages skip the retries (they can never succeed).
 */
import { type BackoffOptions, backoffDelay } from '../internal/backoff.js';
import { ISSUES_HEADER, invalidPayloadHeaders } from './contracts.js';
import { describeFailure } from './failure.js';
import type { NackOptions } from './transports/transport.js';

export interface RetryOptions {
  /** Retries after the first failure; the message is dead-lettered after `maxRetries + 1` failures. Default 3. */
  readonly maxRetries?: number;
  /** Delay before each retry. Default 500 ms doubling up to 30 s, with half of it random. */
  readonly backoff?: Partial<BackoffOptions>;
}

/**
 * Header names the service sets on a dead-lettered message.
 * @example context.message.headers[DEAD_LETTER_HEADERS.error]; // 'handler broke'
 */
export const DEAD_LETTER_HEADERS = {
  /** The error message (or the decode error). */
  error: 'x-error',
  /** The error's class name, e.g. `TypeError`, `HandlerTimeoutError`. */
  errorName: 'x-error-name',
  /** How many deliveries were tried. */
  attempts: 'x-attempts',
  /** `handler-error`, `timeout`, `undecodable`, `invalid-payload` or `rejected`. */
  reason: 'x-reason',
  /** The queue the message failed on. */
  queue: 'x-original-queue',
  /** With `x-reason: invalid-payload`: the schema's issues, a JSON array of `{ path, message }`. */
  issues: ISSUES_HEADER,
} as const;

/**
 * Why a delivery failed. `delivery-limit`: the broker delivered it more than `maxRetries + 1` times without a
 * recorded failure, i.e. the consumers holding it died (a message that crashes its process every time).
 */
export type FailureReason = 'handler-error' | 'timeout' | 'undecodable' | 'delivery-limit' | 'invalid-payload';

/** @example DEFAULT_RETRY.maxRetries; // 3 */
export const DEFAULT_RETRY: Required<RetryOptions> & { backoff: BackoffOptions } = {
  maxRetries: 3,
  backoff: { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.5 },
};

/**
 * Fills the defaults in.
 * @example resolveRetry({ maxRetries: 1 }).backoff.initialDelayMs; // 500
 */
export function resolveRetry(options: RetryOptions | undefined): { maxRetries: number; backoff: BackoffOptions } {
  return {
    maxRetries: options?.maxRetries ?? DEFAULT_RETRY.maxRetries,
    backoff: { ...DEFAULT_RETRY.backoff, ...options?.backoff },
  };
}

/**
 * The nack for a failed delivery: requeue with a delay while retries remain, else dead-letter with headers.
 * @example failureNack(new Error('boom'), 1, 'handler-error', 'q', resolveRetry({})); // { requeue: true, delayMs: … }
 */
export function failureNack(
  error: unknown,
  attempt: number,
  reason: FailureReason,
  queue: string,
  retry: { maxRetries: number; backoff: BackoffOptions },
): NackOptions {
  // A payload that failed its schema can only fail again: dead-lettered at once, with the issues.
  const invalid = invalidPayloadHeaders(error);
  if (!invalid && reason !== 'undecodable' && reason !== 'delivery-limit' && attempt <= retry.maxRetries) {
    return { requeue: true, delayMs: backoffDelay(attempt, retry.backoff) };
  }
  if (invalid) {
    return { requeue: false, headers: { ...deadLetterHeaders(error, attempt, 'invalid-payload', queue), ...invalid } };
  }
  return { requeue: false, headers: deadLetterHeaders(error, attempt, reason, queue) };
}

/**
 * The headers a dead-lettered copy carries.
 * @example deadLetterHeaders(new TypeError('x'), 4, 'handler-error', 'q')['x-error']; // 'x'
 */
export function deadLetterHeaders(
  error: unknown,
  attempt: number,
  reason: FailureReason,
  queue: string,
): Record<string, string | number> {
  const failure = describeFailure(error);
  return {
    [DEAD_LETTER_HEADERS.error]: failure.message,
    [DEAD_LETTER_HEADERS.errorName]: failure.name,
    [DEAD_LETTER_HEADERS.attempts]: attempt,
    [DEAD_LETTER_HEADERS.reason]: reason,
    [DEAD_LETTER_HEADERS.queue]: queue,
  };
}
