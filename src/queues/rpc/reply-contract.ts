/**
 * The reply schema of request/reply (issue 14 part 1): `app.queue(name, { reply }, handler)` and
 * `client.queue(name, { reply }).call()`. The same Standard Schema is checked at both ends:
 * - the service checks what its handler returned before sending it; a reply that fails is never sent, the
 *   caller gets an error reply instead (a `RemoteError` with `MS_QUEUE_REPLY_INVALID`) and the service logs it;
 * - the client checks what it received and resolves to the schema's output (defaults and coercions applied),
 *   or rejects with `MS_QUEUE_REPLY_INVALID` (the issues are on its `cause`, a `ValidationError`).
 * The reply travels as the handler returned it (the schema's input), as a request travels as published, so
 * the client's check sees what the service checked. A handler that returns nothing replies `null`, and that
 * `null` is what both ends check.
 */
import type { AnySchema } from '../../contracts/infer.js';
import {
  type ValidateOptions,
  ValidationError,
  type ValidationIssue,
  type ValidationResult,
  validateEager,
} from '../../contracts/validate.js';
import { ERRORS } from '../../errors.js';
import { describeFailure } from '../failure.js';

const REPLY_LIMITS: ValidateOptions = { prefix: 'reply', maxIssues: 20, maxMessageLength: 300, maxPathLength: 120 };

/** What a handler that returns `undefined` sends: every caller gets a reply it can decode. */
export function replyValue(value: unknown): unknown {
  return value === undefined ? null : value;
}

function summary(issues: readonly ValidationIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid';
  return `${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
}

function invalidReply(
  queue: string,
  side: 'service' | 'client',
  result: Extract<ValidationResult<unknown>, { ok: false }>,
): ReturnType<typeof ERRORS.MS_QUEUE_REPLY_INVALID> {
  const where = side === 'service' ? 'returned by its handler' : 'received';
  if (result.cause !== undefined) {
    const why = describeFailure(result.cause).message;
    return ERRORS.MS_QUEUE_REPLY_INVALID(`the reply validator of queue "${queue}" failed: ${why}`, {
      cause: result.cause,
    });
  }
  const issues = new ValidationError(result.issues, `reply of queue "${queue}" is invalid`);
  return ERRORS.MS_QUEUE_REPLY_INVALID(
    `the reply ${where} for queue "${queue}" does not match its reply schema: ${summary(result.issues)}`,
    { cause: issues },
  );
}

/**
 * Checks a reply against its schema: the schema's output, or the `MS_QUEUE_REPLY_INVALID` error to reject
 * or answer with. Synchronous validators give a synchronous answer (the hot path of `call()`).
 * @example const checked = checkReply(z.number(), 3, 'math.add', 'client'); // { ok: true, value: 3 }
 */
export function checkReply(
  schema: AnySchema,
  value: unknown,
  queue: string,
  side: 'service' | 'client',
):
  | { ok: true; value: unknown }
  | { ok: false; error: Error }
  | Promise<{ ok: true; value: unknown } | { ok: false; error: Error }> {
  const settle = (result: ValidationResult<unknown>) =>
    result.ok
      ? { ok: true as const, value: result.value }
      : { ok: false as const, error: invalidReply(queue, side, result) };
  const checked = validateEager(schema, value, REPLY_LIMITS);
  return checked instanceof Promise ? checked.then(settle) : settle(checked);
}
