/**
 * What the browsable page shows besides the response: the generated forms of the path's body routes (from each
 * route's body schema), the media types those routes accept, what was typed before an error with the
 * validation issues, and the related resources. Built from the route table and the response, for HTML only.
 */
import type { JsonSchema } from '../contracts/json-schema.js';
import type { BodyFormModel, BrowsablePageModel, RelatedResource } from './browsable/page-model.js';
import { buildListing } from './listing.js';
import type { ResponseTarget } from './respond.js';
import type { RouteEntry, RouteGroup } from './router.js';

type PageInputs = Pick<BrowsablePageModel, 'bodyForms' | 'contentTypes' | 'submittedForm' | 'issues' | 'related'>;

const BODY_METHODS = ['POST', 'PUT', 'PATCH'] as const;
/** Most issues shown next to the fields (the validator bounds them too). */
const MAX_ISSUES = 100;

/** The JSON Schema of a route's request body (its contract's), keyed by the body schema it came from. */
function bodySchemaOf(entry: RouteEntry): { key: object; schema: JsonSchema } | undefined {
  const contract = entry.contract;
  const schema = contract?.bodyJsonSchema;
  if (contract === undefined || schema === undefined) return undefined;
  return { key: (contract.schema.body as object | undefined) ?? schema, schema };
}

function bodyForms(group: RouteGroup): BodyFormModel[] {
  const byKey = new Map<object, { methods: string[]; schema: JsonSchema }>();
  for (const method of BODY_METHODS) {
    const entry = group.handlers.get(method);
    // The generated form sends JSON, so a route that refuses JSON keeps only the raw content form.
    if (entry?.contentTypes !== undefined && !entry.contentTypes.includes('application/json')) continue;
    const found = entry === undefined ? undefined : bodySchemaOf(entry);
    if (found === undefined) continue;
    const form = byKey.get(found.key);
    if (form === undefined) byKey.set(found.key, { methods: [method], schema: found.schema });
    else form.methods.push(method);
  }
  return [...byKey.values()];
}

/** The union of the accepted media types of the body routes; undefined when one of them accepts the defaults. */
function contentTypes(group: RouteGroup): readonly string[] | undefined {
  const types = new Set<string>();
  let any = false;
  for (const method of BODY_METHODS) {
    const entry = group.handlers.get(method);
    if (entry === undefined) continue;
    if (entry.contentTypes === undefined) return undefined;
    any = true;
    for (const type of entry.contentTypes) types.add(type);
  }
  return any ? [...types] : undefined;
}

function issuesOf(data: unknown): PageInputs['issues'] {
  const issues = (data as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return undefined;
  const shown: { path: string; message: string }[] = [];
  for (const issue of issues.slice(0, MAX_ISSUES)) {
    const { path, message } = (issue ?? {}) as { path?: unknown; message?: unknown };
    if (typeof path === 'string' && typeof message === 'string') shown.push({ path, message });
  }
  return shown;
}

function related(target: ResponseTarget): RelatedResource[] | undefined {
  const record = target.group?.record;
  if (record === undefined) return undefined;
  const listing = buildListing(target.service.records(), record.rule, target.urlContext);
  if (listing === undefined) return undefined;
  return Object.entries(listing).map(([rule, entry]) => ({
    rule,
    url: typeof entry.url === 'string' ? entry.url : undefined,
    methods: Array.isArray(entry.methods) ? entry.methods.filter((m): m is string => typeof m === 'string') : [],
  }));
}

/**
 * The page model's form and related-resources fields for one HTML response.
 * @example renderBrowsablePage({ ...model, ...pageInputs(target, data, 400) });
 */
export function pageInputs(target: ResponseTarget, data: unknown, status: number): PageInputs {
  const group = target.group;
  const failed = status >= 400;
  return {
    bodyForms: group === undefined ? undefined : bodyForms(group),
    contentTypes: group === undefined ? undefined : contentTypes(group),
    // What was typed comes back only after an error; after a success the form starts empty again.
    submittedForm: failed ? target.submittedForm : undefined,
    issues: failed ? issuesOf(data) : undefined,
    related: related(target),
  };
}
