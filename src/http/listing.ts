/**
 * The `resources` listing (seed §2.7): every other marked rule with the fields its `inResources` names. URLs
 * are computed per request from the request's own host and never written back into the record.
 */
import type { ResourceRecord, UrlContext } from './resources.js';

/** No URL could be built (a `url: true` resource whose rule needs parameters `urlParams` does not give). */
const UNRESOLVED = Symbol('unresolved');

/**
 * The URL shown for a record: `null` for none, `UNRESOLVED` when it cannot be built.
 * @example resolveResourceUrl(record, context); // 'http://127.0.0.1:5000/second/'
 */
export function resolveResourceUrl(record: ResourceRecord, context: UrlContext): unknown {
  const { url } = record;
  if (url === undefined || url === null || url === false || url === '') return url === '' ? null : url;
  if (typeof url === 'function') return url(record, context);
  if (typeof url === 'string') return url;
  const endpoint = record.endpoints[0];
  if (endpoint === undefined) return UNRESOLVED;
  const { _external, ...params } = record.urlParams;
  try {
    return context.urlFor(endpoint, params, { external: _external !== false });
  } catch {
    return UNRESOLVED;
  }
}

function recordField(record: ResourceRecord, field: string, context: UrlContext): unknown {
  switch (field) {
    case 'url':
      return 'url' in record ? resolveResourceUrl(record, context) : UNRESOLVED;
    case 'methods':
      return record.methods;
    case 'schema':
      return record.schema.toJSON();
    case 'update':
      return record.update === undefined ? UNRESOLVED : record.update;
    case 'rule':
      return record.rule;
    case 'endpoints':
      return record.endpoints;
    case 'urlParams':
    case 'url_params':
      return record.urlParams;
    case 'inResources':
    case 'in_resources':
      return record.inResources;
    case 'info':
      return record.info === undefined ? UNRESOLVED : record.info;
    default: {
      const extra = (record.markerOptions as Record<string, unknown>)[field];
      return extra === undefined ? UNRESOLVED : extra;
    }
  }
}

/**
 * `{rule: {field: value}}` for every record except `currentRule`, or `undefined` when there is none.
 * @example buildListing(app.resources.values(), '/second/', context);
 */
export function buildListing(
  records: Iterable<ResourceRecord>,
  currentRule: string,
  context: UrlContext,
): Record<string, Record<string, unknown>> | undefined {
  let listing: Record<string, Record<string, unknown>> | undefined;
  for (const record of records) {
    if (record.rule === currentRule) continue;
    const entry: Record<string, unknown> = {};
    for (const field of record.inResources) {
      const value = recordField(record, field, context);
      if (value !== UNRESOLVED) entry[field] = value;
    }
    listing ??= {};
    listing[record.rule] = entry;
  }
  return listing;
}
