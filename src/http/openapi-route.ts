/**
 * The service's OpenAPI 3.1 document, built by the contracts' `buildOpenApi` from the routes the service
 * really has (rules, methods, descriptions, schemas, the envelope of marked resources), and served as
 * `GET /openapi.json` when the `openapi` service option is on.
 */
import { buildOpenApi, type OpenApiBuild, type RouteDescriptor } from '../contracts/index.js';
import type { Router } from './router.js';

/** The endpoint name of the document's route (the browsable page links it when present). */
export const OPENAPI_ENDPOINT = 'openapi';

/**
 * The `openapi` service option: `true` serves the document at `/openapi.json` with the service's name as title.
 * @example new Microservice('notes', { openapi: { title: 'Notes', version: '1.2.0', path: '/openapi.json' } });
 */
export interface OpenApiOptions {
  /** Default: the service's name. */
  readonly title?: string;
  /** The API's version (default `0.0.0`). */
  readonly version?: string;
  /** Markdown for the document's `info.description`. */
  readonly description?: string;
  /** Where the document is served (default `/openapi.json`); a Werkzeug rule without parameters. */
  readonly path?: string;
}

/** What the document is built from. */
interface Documented {
  readonly name: string;
  readonly router: Router;
}

const documents = new WeakMap<object, OpenApiOptions>();

/** The descriptors of every route but the document's own. */
function descriptors(app: Documented): RouteDescriptor[] {
  const out: RouteDescriptor[] = [];
  for (const group of app.router.groups.values()) {
    const byEntry = new Map<object, string[]>();
    for (const [method, entry] of group.handlers) {
      if (method === 'HEAD' || method === 'OPTIONS' || entry.endpoint === OPENAPI_ENDPOINT) continue;
      byEntry.set(entry, [...(byEntry.get(entry) ?? []), method]);
    }
    const schema = group.record?.schema;
    const resource = schema
      ? { response: schema.response, responseUpdate: schema.responseUpdate, ignoreForMethods: schema.ignoreForMethods }
      : false;
    for (const [entry, methods] of byEntry) {
      const { endpoint, description, contract, contentTypes } = group.handlers.get(methods[0] as string) ?? {};
      if (endpoint === undefined || entry === undefined) continue;
      out.push({
        rule: group.rule.rule,
        methods,
        endpoint,
        ...(description === undefined ? {} : { description }),
        ...(contract === undefined ? {} : { schema: contract.schema }),
        ...(contentTypes === undefined ? {} : { contentTypes }),
        resource,
      });
    }
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of a service, plus the parts it could not describe (`missing`, e.g. a valibot
 * schema without `toStandardJsonSchema`). Built from the routes registered so far.
 * @example const { document, missing } = openApiDocument(app, { title: 'Notes', version: '1.0.0' });
 */
export function openApiDocument(app: Documented, options: OpenApiOptions = documents.get(app) ?? {}): OpenApiBuild {
  return buildOpenApi(
    {
      title: options.title ?? app.name,
      version: options.version ?? '0.0.0',
      ...(options.description === undefined ? {} : { description: options.description }),
    },
    descriptors(app),
  );
}

/**
 * Registers `GET <path>` answering the service's document (JSON for programs, the browsable page for people).
 * The document is rebuilt only when routes were added since the last request.
 */
export function serveOpenApi(
  app: Documented & { get(rule: string, options: object, handler: () => unknown): unknown },
  option: boolean | OpenApiOptions | undefined,
): void {
  if (option === undefined || option === false) return;
  const options = option === true ? {} : option;
  documents.set(app, options);
  let cached: { size: number; document: Record<string, unknown> } | undefined;
  const size = () => {
    let count = 0;
    for (const group of app.router.groups.values()) count += group.handlers.size;
    return count;
  };
  app.get(options.path ?? '/openapi.json', { endpoint: OPENAPI_ENDPOINT, fastifySchema: { hide: true } }, () => {
    const now = size();
    if (cached?.size !== now) cached = { size: now, document: openApiDocument(app, options).document };
    return cached.document;
  });
}
