/**
 * Request and response validation of routes with a `schema` (Standard Schema: zod, valibot, arktype, ...).
 * A route with schemas gets its handler wrapped once, at registration: the wrapper checks params, query,
 * headers and body, answers 400 with every issue when they fail, and hands the handler the validators' outputs.
 * Routes without schemas are registered unwrapped, so they pay nothing. Synchronous validators keep the
 * request synchronous; async ones work too.
 */
import type { FastifySchema } from 'fastify';
import {
  type AnySchema,
  type JsonSchema,
  type MissingJsonSchema,
  toJsonSchema,
  type ValidationIssue,
  type ValidationResult,
  validateEager,
} from '../contracts/index.js';
import { CODES, ERRORS, type MicroservicesError } from '../errors.js';
import type { Logger } from '../logging.js';
import { HttpReply } from './reply.js';
import type { HttpRequest } from './request.js';
import type { HttpRouteSchema } from './route-types.js';

/** The message of a 400 for invalid input; the issues say what is wrong where. */
export const INVALID_INPUT_MESSAGE = 'Invalid input.';

/**
 * The body of a 400 for invalid input.
 * @example { message: 'Invalid input.', code: CODES.MS_VALIDATION_FAILED, issues: [{ path: 'body.title', message: 'Required' }] }
 */
export interface ValidationErrorBody {
  readonly message: string;
  readonly code: typeof CODES.MS_VALIDATION_FAILED;
  readonly issues: readonly ValidationIssue[];
}

/** What validation needs from the service, read on every request (so `debug` can change at run time). */
export interface ValidationSettings {
  readonly logger: Logger;
  /** Check handler results against `response` schemas (a mismatch is a logged 500). */
  readonly validateResponses: boolean;
}

type Part = 'params' | 'query' | 'headers' | 'body';
const PARTS: readonly Part[] = ['params', 'query', 'headers', 'body'];
/** Methods whose requests carry no body: a body schema is not applied to them. */
const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);
type Handler = (request: never) => unknown;

function isSchema(value: unknown): value is AnySchema {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard'];
  return typeof standard?.validate === 'function';
}

function invalid(rule: string, message: string): MicroservicesError {
  return ERRORS.MS_CONTRACT_INVALID(`route ${rule}: ${message}`);
}

/** Checks the `schema` route option's shape at registration, so a typo fails loudly instead of validating nothing. */
function checkSchema(rule: string, schema: unknown): HttpRouteSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw invalid(rule, 'schema must be an object such as { body, query, params, headers, response }');
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'response') {
      if (typeof value !== 'object' || value === null)
        throw invalid(rule, 'schema.response must map statuses to schemas');
      for (const [status, inner] of Object.entries(value)) {
        const code = Number(status);
        if (!Number.isInteger(code) || code < 100 || code > 599) {
          throw invalid(rule, `schema.response status ${status} is not 100..599`);
        }
        if (!isSchema(inner)) throw invalid(rule, `schema.response[${status}] is not a Standard Schema`);
      }
    } else if (!(PARTS as readonly string[]).includes(key)) {
      throw invalid(rule, `schema.${key} is not one of body, query, params, headers, response`);
    } else if (value !== undefined && !isSchema(value)) {
      throw invalid(rule, `schema.${key} is not a Standard Schema (zod, valibot, arktype, ...)`);
    }
  }
  return schema as HttpRouteSchema;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}

/**
 * The contract of one route: its schemas, the body's JSON Schema (for the browsable page's form) and the
 * Fastify schema for documentation plugins.
 * @example const contract = RouteContract.from('/notes/', { body: NoteInput }); contract?.bodyJsonSchema;
 */
export class RouteContract {
  readonly rule: string;
  readonly schema: HttpRouteSchema;
  /** The JSON Schema of what the body schema accepts; `undefined` without a body schema or a converter. */
  readonly bodyJsonSchema: JsonSchema | undefined;
  /** Why `bodyJsonSchema` is missing although there is a body schema (e.g. valibot without its wrapper). */
  readonly bodyJsonSchemaMissing: MissingJsonSchema | undefined;
  /** The request parts to check, in issue order. */
  readonly #parts: readonly Part[];

  private constructor(rule: string, schema: HttpRouteSchema) {
    this.rule = rule;
    this.schema = schema;
    this.#parts = PARTS.filter((part) => schema[part] !== undefined);
    const body = schema.body === undefined ? undefined : toJsonSchema(schema.body);
    this.bodyJsonSchema = body?.ok ? body.schema : undefined;
    this.bodyJsonSchemaMissing = body?.ok === false ? body.missing : undefined;
  }

  /**
   * The contract of a route's `schema` option; `undefined` when there is none. Throws `MS_CONTRACT_INVALID`
   * for a malformed option.
   */
  static from(rule: string, schema: unknown): RouteContract | undefined {
    if (schema === undefined) return undefined;
    return new RouteContract(rule, checkSchema(rule, schema));
  }

  /** Whether the handler must be wrapped (a request part or, when checked, a response has a schema). */
  wraps(settings: ValidationSettings): boolean {
    return this.#parts.length > 0 || (settings.validateResponses && this.schema.response !== undefined);
  }

  /**
   * JSON Schemas for Fastify's route `schema` (read by @fastify/swagger and similar); Fastify does not validate
   * with them (the route's validator compiler accepts everything). `given` (the `fastifySchema` option) wins.
   * Fastify refuses a body schema on GET and HEAD, so a route that also serves those has its body left out.
   */
  fastifySchema(given: FastifySchema | undefined, methods: readonly string[]): FastifySchema {
    const out: Record<string, unknown> = {};
    const convert = (schema: AnySchema | undefined, side: 'input' | 'output') => {
      const result = schema === undefined ? undefined : toJsonSchema(schema, { side });
      return result?.ok ? withoutDialect(result.schema) : undefined;
    };
    const parts = { body: 'body', querystring: 'query', headers: 'headers', params: 'params' } as const;
    for (const [key, part] of Object.entries(parts)) {
      if (part === 'body' && methods.some((method) => BODILESS.has(method))) continue;
      const converted = convert(this.schema[part], 'input');
      if (converted !== undefined) out[key] = converted;
    }
    const response: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(this.schema.response ?? {})) {
      const converted = convert(schema, 'output');
      if (converted !== undefined) response[status] = converted;
    }
    if (Object.keys(response).length > 0) out.response = response;
    return { ...out, ...given } as FastifySchema;
  }

  /**
   * The handler the service registers: validates, then calls `handler` with the validated request.
   * @example entry.handler = contract.wrap(handler, settings);
   */
  wrap(handler: Handler, settings: ValidationSettings): Handler {
    const call = handler as (request: HttpRequest<unknown>) => unknown;
    const respond = (request: HttpRequest<unknown>, result: unknown) =>
      settings.validateResponses ? this.#checkResponse(request, result, settings) : result;
    if (this.#parts.length === 0) {
      return ((request: HttpRequest<unknown>) => respond(request, call(request))) as Handler;
    }
    return ((request: HttpRequest<unknown>) => {
      const checked = this.#check(request, settings);
      if (checked instanceof HttpReply) return checked;
      if (!(checked instanceof Promise)) return respond(checked, call(checked));
      return checked.then((settled) => (settled instanceof HttpReply ? settled : respond(settled, call(settled))));
    }) as Handler;
  }

  #check(
    request: HttpRequest<unknown>,
    settings: ValidationSettings,
  ): ValidatedHttpRequest | HttpReply | Promise<ValidatedHttpRequest | HttpReply> {
    const results: (ValidationResult<unknown> | Promise<ValidationResult<unknown>>)[] = [];
    let pending = false;
    for (const part of this.#parts) {
      if (part === 'body' && BODILESS.has(request.method)) {
        results.push({ ok: true, value: request.data });
        continue;
      }
      const schema = this.schema[part] as AnySchema;
      const value = part === 'body' ? request.data : request[part];
      const result = validateEager(schema, value, { prefix: part });
      if (result instanceof Promise) pending = true;
      results.push(result);
    }
    if (!pending) return this.#settle(request, results as ValidationResult<unknown>[], settings);
    return Promise.all(results).then((settled) => this.#settle(request, settled, settings));
  }

  #settle(
    request: HttpRequest<unknown>,
    results: readonly ValidationResult<unknown>[],
    settings: ValidationSettings,
  ): ValidatedHttpRequest | HttpReply {
    const values: Partial<Record<Part, unknown>> = {};
    const issues: ValidationIssue[] = [];
    for (let i = 0; i < results.length; i++) {
      const result = results[i] as ValidationResult<unknown>;
      const part = this.#parts[i] as Part;
      if (result.ok) {
        values[part] = result.value;
        continue;
      }
      issues.push(...result.issues);
      // A validator that threw has its own error for the logs; the client only sees a generic issue.
      if (result.cause !== undefined) {
        const cause =
          result.cause instanceof Error ? (result.cause.stack ?? result.cause.message) : String(result.cause);
        settings.logger.error(`The ${part} validator of ${this.rule} failed: ${cause}`);
      }
    }
    if (issues.length > 0) {
      const body: ValidationErrorBody = { message: INVALID_INPUT_MESSAGE, code: CODES.MS_VALIDATION_FAILED, issues };
      return new HttpReply(body, 400);
    }
    return new ValidatedHttpRequest(request, values);
  }

  #checkResponse(request: HttpRequest<unknown>, result: unknown, settings: ValidationSettings): unknown {
    if (result !== null && typeof (result as { then?: unknown }).then === 'function') {
      return (result as PromiseLike<unknown>).then((settled) => this.#checkResponse(request, settled, settings));
    }
    const isReply = result instanceof HttpReply;
    const status = isReply ? result.status : 200;
    const data = isReply ? result.body : result;
    const schema = this.schema.response?.[status];
    // Raw responses (Response, bytes, streams) and statuses without a schema are not checked.
    if (schema === undefined || result instanceof Response || data instanceof Uint8Array) return result;
    if (typeof (data as { pipe?: unknown } | null)?.pipe === 'function') return result;
    const checked = validateEager(schema, data, { prefix: 'response' });
    const apply = (outcome: ValidationResult<unknown>): unknown => {
      if (!outcome.ok) {
        const listed = outcome.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
        // Thrown, so the dispatcher logs it and answers a plain 500: the invalid data never reaches the client.
        throw ERRORS.MS_VALIDATION_FAILED(
          `The ${status} response of endpoint "${request.endpoint}" (${this.rule}) does not match its schema: ${listed}`,
          { status: 500, cause: outcome.cause },
        );
      }
      if (!isReply) return outcome.value;
      return new HttpReply(outcome.value, `${result.status} ${result.statusText}`, result.headers);
    };
    return checked instanceof Promise ? checked.then(apply) : apply(checked);
  }
}

/** The request of a validated route: the validators' outputs in place of the raw parts. */
class ValidatedHttpRequest implements HttpRequest<unknown> {
  readonly #inner: HttpRequest<unknown>;
  readonly #values: Partial<Record<Part, unknown>>;
  #headers: HttpRequest<unknown>['headers'] | undefined;

  constructor(inner: HttpRequest<unknown>, values: Partial<Record<Part, unknown>>) {
    this.#inner = inner;
    this.#values = values;
  }

  get params(): unknown {
    return 'params' in this.#values ? this.#values.params : this.#inner.params;
  }

  get data(): unknown {
    return 'body' in this.#values ? this.#values.body : this.#inner.data;
  }

  get query(): Readonly<Record<string, string>> {
    return ('query' in this.#values ? this.#values.query : this.#inner.query) as Readonly<Record<string, string>>;
  }

  /** The raw headers with the header schema's output over them (a schema may drop keys it does not know). */
  get headers(): HttpRequest<unknown>['headers'] {
    if (!('headers' in this.#values)) return this.#inner.headers;
    this.#headers ??= { ...this.#inner.headers, ...(this.#values.headers as object) };
    return this.#headers;
  }

  get searchParams(): URLSearchParams {
    return this.#inner.searchParams;
  }

  get form(): HttpRequest<unknown>['form'] {
    return this.#inner.form;
  }

  get files(): HttpRequest<unknown>['files'] {
    return this.#inner.files;
  }

  get method(): string {
    return this.#inner.method;
  }

  get path(): string {
    return this.#inner.path;
  }

  get fullPath(): string {
    return this.#inner.fullPath;
  }

  get rule(): string {
    return this.#inner.rule;
  }

  get endpoint(): string {
    return this.#inner.endpoint;
  }

  get origin(): string {
    return this.#inner.origin;
  }

  get urlFor(): HttpRequest<unknown>['urlFor'] {
    return this.#inner.urlFor;
  }

  get raw(): HttpRequest<unknown>['raw'] {
    return this.#inner.raw;
  }
}
