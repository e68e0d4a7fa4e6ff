/**
 * Typed queue contracts (issue 15): a Standard Schema per queue checks every payload before its handler runs
 * and before a client sends it, types both ends, and describes the service in an AsyncAPI 3.0 document.
 *
 * - Service side: `guardHandler()` wraps the handler; a payload that fails its schema becomes a
 *   `ValidationError`, which `failureNack()` (retry.ts) dead-letters at once with the issues in a header,
 *   never retried (it can only fail again). A validator that itself throws or times out is retried like any
 *   handler failure: that says nothing about the payload.
 * - Client side: `guardPublish()` validates before sending and rejects with a `ValidationError`; nothing is sent.
 */

import { buildAsyncApi, type ExchangeDescriptor, type QueueDescriptor } from '../contracts/asyncapi.js';
import type { AnySchema, InferInput, InferOutput } from '../contracts/infer.js';
import type { MissingPart } from '../contracts/openapi.js';
import {
  type ValidateOptions,
  ValidationError,
  type ValidationIssue,
  type ValidationResult,
  validateEager,
} from '../contracts/validate.js';
import { ERRORS, type MicroservicesError } from '../errors.js';
import type { Logger } from '../logging.js';
import { maskPassword } from '../secrets.js';
import type { Payload } from './codec.js';
import type { HandlerContext, QueueHandler, QueueRule } from './context.js';
import { describeFailure } from './failure.js';

/** The dead-letter header holding the issues of a payload that failed its schema, as a JSON array. */
export const ISSUES_HEADER = 'x-validation-issues';

/** Longest issues header kept, in characters: whole issues are dropped past it, and the last one says so. */
export const MAX_ISSUES_HEADER = 4096;

/** Bounds for queue payloads: small enough that the issues fit in a broker header. */
const PAYLOAD_LIMITS: ValidateOptions = { prefix: 'payload', maxIssues: 20, maxMessageLength: 300, maxPathLength: 120 };

/**
 * A queue handler whose payload is typed by a schema: it receives the schema's output (coercions and
 * defaults applied). `context.message.payload` stays the decoded body as it arrived.
 * @example const onNote: SchemaHandler<typeof NoteCreated> = async (note) => save(note.id);
 */
export type SchemaHandler<S extends AnySchema> = (payload: InferOutput<S>, context: HandlerContext) => unknown;

/**
 * A queue handler whose reply is typed by a reply schema: it returns the schema's input (or a promise of it),
 * which the service checks before sending. `P` is the payload type (a schema's output, or `unknown`).
 * @example const add: SchemaReplyHandler<{ a: number; b: number }, typeof Sum> = async ({ a, b }) => ({ sum: a + b });
 */
export type SchemaReplyHandler<P, R extends AnySchema> = (
  payload: P,
  context: HandlerContext,
) => InferInput<R> | PromiseLike<InferInput<R>>;

/**
 * The contract part of `queue()`'s options.
 * @example app.queue('notes.created', { schema: NoteCreated }, async (note) => save(note));
 */
export interface QueueContract<S extends AnySchema = AnySchema> {
  /** A Standard Schema (zod 4, valibot 1, arktype 2, ...) every payload must pass before the handler runs. */
  readonly schema?: S;
  /**
   * Request/reply: a Standard Schema the handler's return value must pass before it is sent to a `call()`
   * (typing the handler's return). A reply that fails it is not sent: the caller gets a `RemoteError` with
   * `MS_QUEUE_REPLY_INVALID`, and the failure is logged. Not checked for plain publishes (nothing is sent).
   */
  readonly reply?: AnySchema;
}

/**
 * The contract options of `client.queue(name, options)`.
 * @example client.queue('notes.created', { schema: NoteCreated }).publish({ id: 1, title: 'x' });
 */
export interface PublisherContract<S extends AnySchema = AnySchema> {
  /** Types `publish()` with the schema's input; the payload is validated before it is sent. */
  readonly schema?: S;
  /** Validate before sending (default: the client's `validatePublish`, itself true by default). */
  readonly validate?: boolean;
  /**
   * Types `call()`'s result with the schema's output; every reply is checked (always, whatever `validate`
   * says, since the output type needs the schema's parse) and one that fails rejects with `MS_QUEUE_REPLY_INVALID`.
   */
  readonly reply?: AnySchema;
}

/** What `client.queue(name, { schema })` publishes: the schema's input type. */
export type PublishPayload<S> = S extends AnySchema ? InferInput<S> : Payload;

function isSchema(value: unknown): value is AnySchema {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard'];
  return (typeof value === 'object' || typeof value === 'function') && typeof standard?.validate === 'function';
}

function badOption(where: string, message: string): MicroservicesError {
  return ERRORS.MS_QUEUE_BAD_OPTION(`${where}: ${message}`);
}

/**
 * Refuses a `schema` option that is not a Standard Schema (a typo would otherwise let every payload through).
 * @example assertSchema('queue "q" options', z.object({})); // passes
 */
export function assertSchema(
  where: string,
  schema: unknown,
  option = 'schema',
): asserts schema is AnySchema | undefined {
  if (schema !== undefined && !isSchema(schema)) {
    throw badOption(where, `"${option}" must be a Standard Schema (zod 4, valibot 1, arktype 2, ...)`);
  }
}

/** `queue()`'s arguments in either order, with the schema taken out of the options. */
export interface QueueArguments<O> {
  readonly handler: QueueHandler;
  readonly options: O;
  readonly schema: AnySchema | undefined;
  /** The reply schema (`reply` option), checked before a reply is sent. */
  readonly reply: AnySchema | undefined;
}

/**
 * Sorts out `queue(name, handler, options?)` and `queue(name, options, handler)`, and takes the schema out of
 * the options (the rest is checked by the service as before).
 * @example queueArguments('q', { schema }, handler).schema === schema; // true
 */
export function queueArguments<O extends object>(name: string, first: unknown, second: unknown): QueueArguments<O> {
  const where = `queue "${String(name).slice(0, 64)}" options`;
  const [handler, given] = typeof first === 'function' ? [first, second] : [second, first];
  if (typeof handler !== 'function') {
    throw badOption(`queue "${String(name).slice(0, 64)}"`, 'needs a handler function');
  }
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw badOption(where, 'options must be an object');
  }
  const { schema, reply, ...options } = (given ?? {}) as { schema?: unknown; reply?: unknown };
  assertSchema(where, schema);
  assertSchema(where, reply, 'reply');
  if (schema !== undefined && (options as { raw?: unknown }).raw === true) {
    throw badOption(where, '"schema" and "raw" exclude each other: a raw body is a Buffer, never validated');
  }
  return { handler: handler as QueueHandler, options: options as O, schema, reply };
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  const [first] = issues;
  if (!first) return 'invalid';
  const where = first.path === '' ? '' : `${first.path}: `;
  return `${where}${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
}

/** The error a payload that fails its schema becomes: `MS_VALIDATION_FAILED`, with the issues. */
function invalid(queue: string, issues: readonly ValidationIssue[], cause?: unknown): ValidationError {
  const error = new ValidationError(issues, `payload of queue "${queue}" is invalid: ${describeIssues(issues)}`, {
    cause,
  });
  // The frames would only point into the toolkit: the log line (which reads the stack) says what matters.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function admit(
  result: ValidationResult<unknown>,
  queue: string,
  handler: QueueHandler,
  context: HandlerContext,
): unknown {
  if (result.ok) return handler(result.value, context);
  if (result.cause !== undefined) {
    // The validator broke (threw, timed out): retried like any failure, never blamed on the payload.
    const why = describeFailure(result.cause).message;
    throw ERRORS.MS_VALIDATION_FAILED(`the payload validator of queue "${queue}" failed: ${why}`, {
      cause: result.cause,
    });
  }
  throw invalid(queue, result.issues);
}

/**
 * The handler the runner calls for a queue with a schema: validates first, then hands the handler the
 * validator's output. Synchronous validators keep the runner's synchronous path.
 * @example rule.handler = guardHandler(NoteCreated, handler, 'notes.created');
 */
export function guardHandler(schema: AnySchema, handler: QueueHandler, queue: string): QueueHandler {
  return (payload, context) => {
    const checked = validateEager(schema, payload, PAYLOAD_LIMITS);
    if (checked instanceof Promise) return checked.then((result) => admit(result, queue, handler, context));
    return admit(checked, queue, handler, context);
  };
}

/** `instanceof` that survives what a handler may reject with (a Proxy whose getPrototypeOf trap throws). */
function isValidationError(error: unknown): error is ValidationError {
  try {
    return error instanceof ValidationError && Array.isArray(error.issues);
  } catch {
    return false;
  }
}

/**
 * For `failureNack()`: the extra dead-letter header when `error` is a `ValidationError` (the payload can
 * only fail again, so it is never retried); undefined for any other failure.
 * @example invalidPayloadHeaders(new ValidationError([{ path: 'payload', message: 'x' }])); // { 'x-validation-issues': '[...]' }
 */
export function invalidPayloadHeaders(error: unknown): Record<string, string> | undefined {
  if (!isValidationError(error)) return undefined;
  const kept: ValidationIssue[] = [];
  let length = 2;
  for (const issue of error.issues) {
    const size = JSON.stringify(issue).length + 1;
    // Room is kept for the closing "N more issues left out." entry.
    if (length + size > MAX_ISSUES_HEADER - 80) break;
    kept.push(issue);
    length += size;
  }
  if (kept.length < error.issues.length) {
    kept.push({ path: 'payload', message: `${error.issues.length - kept.length} more issues left out.` });
  }
  return { [ISSUES_HEADER]: JSON.stringify(kept) };
}

/**
 * Wraps a publish so that the payload is validated first: an invalid payload rejects with a `ValidationError`
 * (`MS_VALIDATION_FAILED`, with the issues) and nothing is sent. The payload is sent as given (the schema's
 * input), so the consumer's validation sees what the publisher checked.
 * @example const publish = guardPublish('q', NoteCreated, (payload, properties) => client.publishToQueue('q', payload, properties));
 */
export function guardPublish<A extends unknown[]>(
  queue: string,
  schema: AnySchema,
  publish: (payload: Payload, ...rest: A) => Promise<void>,
): (payload: Payload, ...rest: A) => Promise<void> {
  const settle = (result: ValidationResult<unknown>, payload: Payload, rest: A): Promise<void> => {
    if (!result.ok) return Promise.reject(invalid(queue, result.issues, result.cause));
    return publish(payload, ...rest);
  };
  return (payload, ...rest) => {
    const checked = validateEager(schema, payload, PAYLOAD_LIMITS);
    if (checked instanceof Promise) return checked.then((result) => settle(result, payload, rest));
    return settle(checked, payload, rest);
  };
}

/**
 * Checks `client.queue()`'s contract options and says whether to validate.
 * @example publisherSchema('q', { schema }, true); // schema
 */
export function publisherSchema(
  queue: string,
  options: PublisherContract | undefined,
  clientValidates: boolean,
): AnySchema | undefined {
  if (options === undefined) return undefined;
  const where = `client.queue("${String(queue).slice(0, 64)}") options`;
  if (typeof options !== 'object' || options === null) throw badOption(where, 'options must be an object');
  const unknown = Object.keys(options).filter((key) => key !== 'schema' && key !== 'validate' && key !== 'reply');
  if (unknown.length > 0)
    throw badOption(where, `unknown option "${unknown[0]?.slice(0, 64)}"; known: schema, validate, reply`);
  assertSchema(where, options.schema);
  assertSchema(where, options.reply, 'reply');
  if (options.validate !== undefined && typeof options.validate !== 'boolean') {
    throw badOption(where, '"validate" must be true or false');
  }
  return (options.validate ?? clientValidates) ? options.schema : undefined;
}

/**
 * Options of `service.asyncapi()`.
 * @example app.asyncapi({ title: 'notes', version: '1.2.0', exchanges: [{ name: 'events', type: 'topic' }] });
 */
export interface AsyncApiOptions {
  /** Default: the service's name. */
  readonly title?: string;
  /** The API's version. Default `1.0.0`. */
  readonly version?: string;
  /** Markdown. */
  readonly description?: string;
  /** Exchanges to describe as channels (the service itself declares none: clients do). */
  readonly exchanges?: readonly ExchangeDescriptor[];
  /** Leave out the dead-letter queues the service sends failed messages to. Default false. */
  readonly withoutDeadLetters?: boolean;
}

/** What `service.asyncapi()` needs to know about the service. */
export interface AsyncApiSource {
  readonly name: string;
  readonly logger: Logger;
  /** The broker URL or display name (the password is masked again here, whatever it holds). */
  readonly brokerUrl: string;
  readonly rules: readonly QueueRule[];
}

const DEAD_LETTER_NOTE =
  'headers: x-error, x-error-name, x-attempts, x-reason (handler-error, timeout, undecodable, delivery-limit, invalid-payload, rejected), x-original-queue, and x-validation-issues (a JSON array of { path, message }) when the payload failed its schema';

/** `memory://` names the default broker; AsyncAPI needs a host. */
function serverUrl(url: string): string {
  const masked = maskPassword(url);
  return /^memory:\/\/\/?$/.test(masked) ? 'memory://default' : masked;
}

/**
 * Builds the AsyncAPI 3.0 document of a queue service: a `receive` channel per queue with its payload
 * schema, a `send` channel per dead-letter queue, the given exchanges, and the broker (password masked).
 * Parts without JSON Schema are logged once per call and left without payload.
 * @example const document = queueAsyncApi({ name, logger, brokerUrl, rules }, { version: '1.0.0' });
 */
export function queueAsyncApi(source: AsyncApiSource, options: AsyncApiOptions = {}): Record<string, unknown> {
  const queues: QueueDescriptor[] = [];
  const consumed = new Set(source.rules.map((rule) => rule.name));
  for (const rule of source.rules) {
    const schema = rule.options.schema as AnySchema | undefined;
    queues.push({ name: rule.name, action: 'receive', ...(schema ? { schema } : {}) });
  }
  if (!options.withoutDeadLetters) {
    for (const rule of source.rules) {
      const deadLetter = rule.options.deadLetter ?? `${rule.name}.dead-letter`;
      if (typeof deadLetter !== 'string' || consumed.has(deadLetter)) continue;
      queues.push({
        name: deadLetter,
        action: 'send',
        description: `Messages of \`${rule.name}\` that cannot be handled: the original body, and ${DEAD_LETTER_NOTE}.`,
      });
    }
  }
  const { document, missing } = buildAsyncApi(
    {
      title: options.title ?? source.name,
      version: options.version ?? '1.0.0',
      ...(options.description === undefined ? {} : { description: options.description }),
    },
    { queues, exchanges: options.exchanges ?? [], server: { url: serverUrl(source.brokerUrl) } },
  );
  logMissing(source.logger, missing);
  return document;
}

function logMissing(logger: Logger, missing: readonly MissingPart[]): void {
  for (const part of missing) logger.warn(`AsyncAPI: ${part.where} is not described: ${part.reason}`);
}
