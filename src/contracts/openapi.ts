/**
 * Builds an OpenAPI 3.1 document from neutral route descriptors: Werkzeug rules become path templates with
 * typed parameters, schemas become request bodies, query/header parameters and responses (wrapped in the
 * envelope marked resources really send), and the toolkit's own errors are described once in components.
 * Parts without a JSON Schema are documented as "any value" and listed in `missing`.
 */
import { STATUS_CODES } from 'node:http';
import { ERRORS } from '../errors.js';
import type { AnySchema, RouteSchema } from './infer.js';
import { type JsonSchema, rebaseRefs, type SchemaSide, toJsonSchema } from './json-schema.js';
import { converterSchema, parseRule, toOpenApiPath } from './rule.js';

/** The neutral subset of a `ResourceSchema` that decides what a marked resource sends. */
export interface ResourceEnvelope {
  /** Key that wraps non-object data (and all data when `responseUpdate` is false); default `response`. */
  readonly response?: string | null;
  /** Object data is sent as it is (true, the default) or wrapped under `response` (false). */
  readonly responseUpdate?: boolean;
  /** Methods whose data is sent raw. */
  readonly ignoreForMethods?: readonly string[];
}

/** One route, as the HTTP service knows it, without depending on it. */
export interface RouteDescriptor {
  /** Werkzeug rule, e.g. `/notes/<int:id>/`. */
  readonly rule: string;
  readonly methods: readonly string[];
  /** The endpoint name (becomes the operationId, with the method when the route has several). */
  readonly endpoint: string;
  /** Markdown; its first line is the summary. */
  readonly description?: string;
  readonly schema?: RouteSchema;
  /** A marked resource: its data is wrapped in the resource envelope (`true` means the default envelope). */
  readonly resource?: boolean | ResourceEnvelope;
  /** Request media types the route accepts; default `application/json`. */
  readonly contentTypes?: readonly string[];
}

/** Title, version and Markdown description of the document. */
export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** A document part that could not be described, and why. */
export interface MissingPart {
  /** E.g. `PUT /notes/{id}/ requestBody`. */
  readonly where: string;
  readonly reason: string;
  /** The schema vendor, when a schema could not be converted. */
  readonly vendor?: string;
}

/** The document plus what it could not describe. */
export interface OpenApiBuild {
  readonly document: Record<string, unknown>;
  readonly missing: readonly MissingPart[];
}

const OPERATION_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const BODY_METHODS = new Set(['post', 'put', 'patch']);
const MAX_ROUTES = 10_000;

/** Shared components: the error bodies every route may answer with. */
function errorComponents(): { schemas: Record<string, JsonSchema>; responses: Record<string, unknown> } {
  const message = { type: 'string' };
  const json = (ref: string, description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
  });
  return {
    schemas: {
      ErrorBody: { type: 'object', properties: { message }, required: ['message'] },
      ValidationIssue: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Dot-separated, e.g. `body.items.2.name`.' },
          message,
        },
        required: ['path', 'message'],
      },
      ValidationErrorBody: {
        type: 'object',
        properties: { message, issues: { type: 'array', items: { $ref: '#/components/schemas/ValidationIssue' } } },
        required: ['message'],
      },
    },
    responses: {
      BadRequest: json('ValidationErrorBody', 'Malformed or invalid input; `issues` lists schema failures.'),
      NotFound: json('ErrorBody', 'No resource at this URL (including path parameters a converter refuses).'),
      MethodNotAllowed: json('ErrorBody', 'The path exists but not with this method; see the Allow header.'),
      NotAcceptable: json('ErrorBody', 'No representation satisfies Accept.'),
      UnsupportedMediaType: json('ErrorBody', 'The body has a missing or unsupported Content-Type.'),
    },
  };
}

function componentName(raw: string, taken: (name: string) => boolean): string {
  const base = raw.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'schema';
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}_${i}`;
  return name;
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object';
}

function isNonObjectSchema(schema: JsonSchema): boolean {
  const type = schema.type;
  if (typeof type === 'string') return type !== 'object';
  return Array.isArray(type) && type.length > 0 && !type.includes('object');
}

/** The schema of what a marked resource sends for data of `data` (see src/http/envelope.ts). */
function wrapInEnvelope(ref: JsonSchema, resolved: JsonSchema, envelope: ResourceEnvelope): JsonSchema {
  const key = envelope.response === undefined ? 'response' : envelope.response;
  const update = envelope.responseUpdate ?? true;
  const wrapped: JsonSchema =
    key === null ? { type: 'object' } : { type: 'object', properties: { [key]: ref }, required: [key] };
  if (!update) return wrapped;
  if (isObjectSchema(resolved)) return ref;
  if (isNonObjectSchema(resolved)) return wrapped;
  return { anyOf: [{ allOf: [ref, { type: 'object' }] }, wrapped] };
}

class DocumentBuilder {
  readonly missing: MissingPart[] = [];
  readonly #components = errorComponents();
  readonly #names = new Map<JsonSchema, string>();
  readonly paths: Record<string, Record<string, unknown>> = {};
  readonly #operationIds = new Set<string>();

  /** Registers a converted schema once in components; answers its $ref and the schema itself. */
  schemaRef(
    schema: AnySchema,
    side: SchemaSide,
    name: string,
    where: string,
  ): { ref: JsonSchema; resolved: JsonSchema; name: string } | undefined {
    const result = toJsonSchema(schema, { side });
    if (!result.ok) {
      this.missing.push({ where, reason: result.missing.reason, vendor: result.missing.vendor });
      return undefined;
    }
    let registered = this.#names.get(result.schema);
    if (registered === undefined) {
      registered = componentName(name, (n) => n in this.#components.schemas);
      this.#components.schemas[registered] = rebaseRefs(result.schema, `#/components/schemas/${registered}`);
      this.#names.set(result.schema, registered);
    }
    const ref = { $ref: `#/components/schemas/${registered}` };
    return { ref, resolved: this.#components.schemas[registered] as JsonSchema, name: registered };
  }

  /** A unique operationId (suffixed when taken), reserved at once. */
  operationId(endpoint: string, method: string, several: boolean): string {
    const id = componentName(several ? `${endpoint}.${method}` : endpoint, (n) => this.#operationIds.has(n));
    this.#operationIds.add(id);
    return id;
  }

  components(): Record<string, unknown> {
    return this.#components;
  }
}

function objectParameters(
  builder: DocumentBuilder,
  schema: AnySchema,
  location: 'query' | 'header',
  opId: string,
  where: string,
): unknown[] {
  const registered = builder.schemaRef(schema, 'input', `${opId}.${location}`, where);
  if (!registered) return [];
  const properties = registered.resolved.properties;
  if (registered.resolved.type !== 'object' || typeof properties !== 'object' || properties === null) {
    builder.missing.push({ where, reason: `the ${location} schema is not an object with properties` });
    return [];
  }
  const required = Array.isArray(registered.resolved.required) ? registered.resolved.required : [];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: required.includes(name),
    schema: property,
  }));
}

function statusDescription(status: number): string {
  return STATUS_CODES[status] ?? `Status ${status}`;
}

function summaryOf(description: string | undefined): string | undefined {
  const first = description
    ?.split('\n')
    .map((line) => line.replace(/^#+\s*/, '').trim())
    .find((line) => line !== '');
  return first === undefined ? undefined : first.slice(0, 120);
}

function addRoute(builder: DocumentBuilder, route: RouteDescriptor): void {
  const parts = parseRule(route.rule);
  const path = toOpenApiPath(parts);
  const item = builder.paths[path] ?? {};
  builder.paths[path] = item;
  const pathParameters = parts.flatMap((part) =>
    part.kind === 'parameter' ? [{ name: part.name, in: 'path', required: true, schema: converterSchema(part) }] : [],
  );
  const methods = [...new Set(route.methods.map((method) => method.toLowerCase()))];
  const envelope: ResourceEnvelope | undefined =
    route.resource === true ? {} : route.resource === false ? undefined : route.resource;
  for (const method of methods) {
    const where = `${method.toUpperCase()} ${path}`;
    if (!OPERATION_METHODS.has(method)) {
      builder.missing.push({ where, reason: 'OpenAPI 3.1 has no operation field for this method' });
      continue;
    }
    if (item[method] !== undefined) {
      builder.missing.push({ where, reason: `another rule already documents it (rule ${route.rule})` });
      continue;
    }
    const opId = builder.operationId(route.endpoint, method, methods.length > 1);
    const schema = route.schema ?? {};
    const operation: Record<string, unknown> = { operationId: opId };
    const summary = summaryOf(route.description);
    if (summary !== undefined) operation.summary = summary;
    if (route.description) operation.description = route.description;
    const parameters: unknown[] = [...pathParameters];
    if (schema.query) parameters.push(...objectParameters(builder, schema.query, 'query', opId, `${where} query`));
    if (schema.headers) {
      parameters.push(...objectParameters(builder, schema.headers, 'header', opId, `${where} headers`));
    }
    if (parameters.length > 0) operation.parameters = parameters;
    const hasBody = schema.body !== undefined || BODY_METHODS.has(method);
    if (schema.body) {
      const body = builder.schemaRef(schema.body, 'input', `${opId}.body`, `${where} requestBody`);
      const content: Record<string, unknown> = {};
      for (const type of route.contentTypes ?? ['application/json']) content[type] = { schema: body?.ref ?? {} };
      operation.requestBody = { required: true, content };
    }
    const responses: Record<string, unknown> = {};
    const raw = !envelope || (envelope.ignoreForMethods ?? []).some((m) => m.toLowerCase() === method);
    for (const [status, responseSchema] of Object.entries(schema.response ?? {})) {
      const code = Number(status);
      if (!Number.isInteger(code) || code < 100 || code > 599) {
        throw ERRORS.MS_CONTRACT_INVALID(`${where}: response status ${status} is not 100..599`);
      }
      const out = builder.schemaRef(responseSchema, 'output', `${opId}.${code}`, `${where} response ${code}`);
      const described = out ? (raw ? out.ref : wrapInEnvelope(out.ref, out.resolved, envelope)) : {};
      responses[status] = {
        description: statusDescription(code),
        content: { 'application/json': { schema: described } },
      };
    }
    if (Object.keys(responses).length === 0) responses['200'] = { description: statusDescription(200) };
    if (hasBody || schema.query || schema.headers) responses['400'] ??= { $ref: '#/components/responses/BadRequest' };
    if (pathParameters.length > 0) responses['404'] ??= { $ref: '#/components/responses/NotFound' };
    responses['406'] ??= { $ref: '#/components/responses/NotAcceptable' };
    if (hasBody) responses['415'] ??= { $ref: '#/components/responses/UnsupportedMediaType' };
    operation.responses = responses;
    item[method] = operation;
  }
}

/**
 * The OpenAPI 3.1 document of a list of routes. Throws `MS_CONTRACT_INVALID` for a malformed rule or status;
 * a schema without JSON Schema does not throw: it is documented as "any value" and listed in `missing`.
 * @example
 * const { document, missing } = buildOpenApi({ title: 'Notes', version: '1.0.0' }, [
 *   { rule: '/notes/<int:id>/', methods: ['PUT'], endpoint: 'note', resource: true,
 *     schema: { body: NoteInput, response: { 200: Note } } },
 * ]);
 */
export function buildOpenApi(
  info: DocumentInfo,
  routes: readonly RouteDescriptor[],
  options: { readonly servers?: readonly { readonly url: string; readonly description?: string }[] } = {},
): OpenApiBuild {
  if (routes.length > MAX_ROUTES) throw ERRORS.MS_CONTRACT_INVALID(`more than ${MAX_ROUTES} routes`);
  const builder = new DocumentBuilder();
  for (const route of routes) addRoute(builder, route);
  const document: Record<string, unknown> = {
    openapi: '3.1.1',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
  };
  if (options.servers && options.servers.length > 0) document.servers = options.servers.map((s) => ({ ...s }));
  document.paths = builder.paths;
  document.components = builder.components();
  return { document, missing: builder.missing };
}
