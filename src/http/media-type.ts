/**
 * Strict parsing of a request's Content-Type (RFC 9110 §8.3.1): `type/subtype` tokens, lower-cased, then
 * `; name=value` parameters. Anything else is malformed and becomes a 415, so one normalised value decides
 * which parser runs (the lesson of the Fastify content-type advisories).
 */

export interface MediaType {
  /** `type/subtype`, lower-cased, e.g. `application/json`. */
  readonly essence: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseParams(text: string): Record<string, string> | undefined {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  let rest = text;
  while (rest.length > 0) {
    const semi = rest.match(/^[ \t]*;[ \t]*/);
    if (!semi) return undefined;
    rest = rest.slice(semi[0].length);
    if (rest.length === 0) break;
    const name = rest.match(/^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=/);
    if (!name?.[1]) return undefined;
    rest = rest.slice(name[0].length);
    const quoted = rest.match(/^"((?:[^"\\]|\\.)*)"/);
    const token = quoted ? undefined : rest.match(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+/);
    const raw = quoted ?? token;
    if (!raw) return undefined;
    params[name[1].toLowerCase()] = quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : raw[0];
    rest = rest.slice(raw[0].length).replace(/^[ \t]+/, '');
  }
  return params;
}

/**
 * The parsed media type, or `undefined` when the header is not a well-formed `type/subtype[; params]`.
 * @example
 * parseMediaType('Application/JSON ; charset=utf-8'); // { essence: 'application/json', params: { charset: 'utf-8' } }
 * parseMediaType('application/json garbage'); // undefined
 */
export function parseMediaType(header: string): MediaType | undefined {
  const semi = header.indexOf(';');
  const head = (semi < 0 ? header : header.slice(0, semi)).trim();
  const slash = head.indexOf('/');
  if (slash <= 0) return undefined;
  const type = head.slice(0, slash);
  const subtype = head.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params = semi < 0 ? {} : parseParams(header.slice(semi));
  if (params === undefined) return undefined;
  return { essence: `${type}/${subtype}`.toLowerCase(), params };
}

/** Bodies mostly come with one of a few Content-Type values; parsed once each (frozen, shared). */
const PARSED = new Map<string, MediaType | undefined>();
const PARSED_LIMIT = 64;

/**
 * `parseMediaType` remembering the last few distinct headers (the map is emptied when full, so odd values
 * cannot grow it). The result is frozen: shared between requests.
 * @example parseMediaTypeCached('application/json')?.essence; // 'application/json'
 */
export function parseMediaTypeCached(header: string): MediaType | undefined {
  const known = PARSED.get(header);
  if (known !== undefined || PARSED.has(header)) return known;
  const parsed = parseMediaType(header);
  const frozen = parsed && Object.freeze({ essence: parsed.essence, params: Object.freeze(parsed.params) });
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(header, frozen);
  return frozen;
}
