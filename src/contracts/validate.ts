/**
 * Runs any Standard Schema v1 validator (zod, valibot, arktype, ...) and normalises its answer into one shape
 * with stable, bounded issues. Nothing here throws: a validator that throws or returns garbage becomes a failed
 * result whose `cause` the caller can log (the client only ever sees a generic issue).
 *
 * Issue paths (stable, part of the public contract):
 * - segments are joined with `.`, after an optional prefix: `body.items.2.name`;
 * - array indexes and plain keys (`[A-Za-z0-9_$-]+`) are written as they are;
 * - any other string key is written JSON-quoted in brackets: `body["a.b"]`, `query[""]`;
 * - a symbol key is written `[Symbol(description)]`;
 * - `PathSegment` objects (`{ key }`) are unwrapped first;
 * - an issue without a path gets the prefix alone (`body`), or `""` without a prefix.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { CODES, ERRORS, MicroservicesError } from '../errors.js';

/** One problem found in a value: where (see the module comment for the path format) and what. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A successful validation: the validator's output (coercions and defaults applied). */
export interface ValidationSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

/** A failed validation: at least one issue; `cause` is set when the validator itself failed. */
export interface ValidationFailure {
  readonly ok: false;
  readonly issues: readonly ValidationIssue[];
  /** What the validator threw or wrongly returned; for logs, never for clients. */
  readonly cause?: unknown;
}

export type ValidationResult<T> = ValidationSuccess<T> | ValidationFailure;

/** Bounds and naming for `validate()`. */
export interface ValidateOptions {
  /** First path segment of every issue, e.g. `body`, `query`, `payload`. */
  readonly prefix?: string;
  /** Most issues kept (default 50); the last kept one then says how many were left out. */
  readonly maxIssues?: number;
  /** Longest message kept, in characters (default 500). */
  readonly maxMessageLength?: number;
  /** Longest path kept, in characters (default 200). */
  readonly maxPathLength?: number;
  /**
   * Longest wait for an async validator, in ms (default: none). Past it the result is a failure whose
   * `cause` is a `MS_VALIDATION_FAILED` error saying so; the validator itself cannot be cancelled.
   */
  readonly timeoutMs?: number;
}

/** The message clients see when the validator itself failed (its own error text may hold internals). */
export const VALIDATOR_FAILED_MESSAGE = 'The value could not be validated.';

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function segmentKey(segment: unknown): PropertyKey {
  if (typeof segment === 'object' && segment !== null && 'key' in segment) {
    return segmentKey((segment as StandardSchemaV1.PathSegment).key);
  }
  if (typeof segment === 'string' || typeof segment === 'number' || typeof segment === 'symbol') return segment;
  return String(segment);
}

/**
 * Formats an issue path the stable way (see the module comment).
 * @example formatIssuePath(['items', 2, { key: 'name' }], 'body'); // 'body.items.2.name'
 */
export function formatIssuePath(path: readonly unknown[] | undefined, prefix = ''): string {
  let out = prefix;
  for (const segment of path ?? []) {
    const key = segmentKey(segment);
    let part: string;
    let bracket = false;
    if (typeof key === 'symbol') {
      part = `[${String(key)}]`;
      bracket = true;
    } else if (typeof key === 'number') {
      part = String(key);
    } else if (PLAIN_KEY.test(key)) {
      part = key;
    } else {
      part = `[${JSON.stringify(key)}]`;
      bracket = true;
    }
    out = out === '' || bracket ? `${out}${part}` : `${out}.${part}`;
  }
  return out;
}

function failure(prefix: string, cause: unknown): ValidationFailure {
  return { ok: false, issues: [{ path: prefix, message: VALIDATOR_FAILED_MESSAGE }], cause };
}

function normalise<T>(result: unknown, options: ValidateOptions): ValidationResult<T> {
  const prefix = options.prefix ?? '';
  if (typeof result !== 'object' || result === null) return failure(prefix, new TypeError('not a result object'));
  const { issues, value } = result as { issues?: unknown; value?: unknown };
  if (!issues) return { ok: true, value: value as T };
  if (!Array.isArray(issues)) return failure(prefix, new TypeError('issues is not an array'));
  const maxIssues = Math.max(1, options.maxIssues ?? 50);
  const maxMessage = options.maxMessageLength ?? 500;
  const maxPath = options.maxPathLength ?? 200;
  const out: ValidationIssue[] = [];
  const kept = issues.length > maxIssues ? maxIssues - 1 : issues.length;
  for (let i = 0; i < kept; i++) {
    const issue = issues[i] as Partial<StandardSchemaV1.Issue> | null | undefined;
    const path = Array.isArray(issue?.path) ? issue.path : undefined;
    const message = typeof issue?.message === 'string' && issue.message !== '' ? issue.message : 'Invalid value.';
    out.push({ path: truncate(formatIssuePath(path, prefix), maxPath), message: truncate(message, maxMessage) });
  }
  if (kept < issues.length) out.push({ path: prefix, message: `${issues.length - kept} more issues left out.` });
  // An empty issues array still means failure in the spec; give the client something to read.
  if (out.length === 0) out.push({ path: prefix, message: 'Invalid value.' });
  return { ok: false, issues: out };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function withTimeout<T>(
  settled: Promise<ValidationResult<T>>,
  timeoutMs: number,
  prefix: string,
): Promise<ValidationResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ValidationFailure>((resolve) => {
    timer = setTimeout(() => {
      const cause = ERRORS.MS_VALIDATION_FAILED(`the validator did not answer within ${timeoutMs} ms`);
      resolve(failure(prefix, cause));
    }, timeoutMs);
    timer.unref();
  });
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Like `validate()`, but answers synchronously when the validator is synchronous (no extra microtask on hot
 * paths such as request handling); a Promise only for async validators.
 * @example
 * const result = validateEager(NoteInput, body, { prefix: 'body' });
 * const settled = result instanceof Promise ? await result : result;
 */
export function validateEager<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  options: ValidateOptions = {},
): ValidationResult<StandardSchemaV1.InferOutput<S>> | Promise<ValidationResult<StandardSchemaV1.InferOutput<S>>> {
  type Out = StandardSchemaV1.InferOutput<S>;
  let raw: unknown;
  try {
    raw = schema['~standard'].validate(value);
  } catch (error) {
    return failure(options.prefix ?? '', error);
  }
  if (isThenable(raw)) {
    const settled = Promise.resolve(raw).then(
      (result) => normalise<Out>(result, options),
      (error: unknown) => failure(options.prefix ?? '', error),
    );
    return options.timeoutMs === undefined ? settled : withTimeout(settled, options.timeoutMs, options.prefix ?? '');
  }
  return normalise<Out>(raw, options);
}

/**
 * Validates `value` with a Standard Schema; never throws or rejects.
 * @example
 * const result = await validate(z.object({ title: z.string() }), { title: 1 }, { prefix: 'body' });
 * if (!result.ok) result.issues; // [{ path: 'body.title', message: 'Invalid input: expected string, received number' }]
 */
export async function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  options: ValidateOptions = {},
): Promise<ValidationResult<StandardSchemaV1.InferOutput<S>>> {
  return validateEager(schema, value, options);
}

/**
 * Invalid input (400 over HTTP; dead-lettered without retry on queues), carrying the issues.
 * @example
 * const result = await validate(NoteInput, body, { prefix: 'body' });
 * if (!result.ok) throw new ValidationError(result.issues);
 */
export class ValidationError extends MicroservicesError {
  /** The normalised issues, safe to show to the client. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], message = 'Invalid input.', options: { cause?: unknown } = {}) {
    super(CODES.MS_VALIDATION_FAILED, message, { status: 400, ...options });
    this.issues = issues;
  }

  /** The body clients receive: the seed-style `message` plus the issues. */
  toJSON(): { message: string; issues: readonly ValidationIssue[] } {
    return { message: this.message, issues: this.issues };
  }
}
