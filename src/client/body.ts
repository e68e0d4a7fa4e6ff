/**
 * Encoding a call's `data` by `contentType`, into a body that can be sent again unchanged (a string or bytes),
 * so retries and redirects replay exactly what the first attempt sent.
 */
import { InvalidRequestError } from './errors.js';
import type { ContentType, MultipartValue } from './options.js';
import { quotePlus } from './query.js';

/** A replayable body and the Content-Type it needs (`undefined`: none is set). */
export interface EncodedBody {
  readonly body: string | Uint8Array;
  readonly contentType: string | undefined;
}

const FORM = 'application/x-www-form-urlencoded';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function formEncode(data: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      pairs.push(`${quotePlus(key)}=${quotePlus(String(item))}`);
  }
  return pairs.join('&');
}

async function multipartEncode(data: Record<string, unknown>): Promise<EncodedBody> {
  const form = new FormData();
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    for (const item of (Array.isArray(value) ? value : [value]) as MultipartValue[]) {
      if (item instanceof Blob)
        form.append(key, item, 'name' in item && typeof item.name === 'string' ? item.name : key);
      else if (item instanceof Uint8Array) form.append(key, new Blob([item]), key);
      else form.append(key, String(item));
    }
  }
  // Serialising through Response gives the bytes and the boundary once, so every attempt sends the same body.
  const serialised = new Response(form);
  return {
    body: new Uint8Array(await serialised.arrayBuffer()),
    contentType: serialised.headers.get('content-type') ?? undefined,
  };
}

function rawBody(data: unknown): EncodedBody {
  if (typeof data === 'string' || data instanceof Uint8Array) return { body: data, contentType: undefined };
  if (isRecord(data)) return { body: formEncode(data), contentType: FORM };
  throw new InvalidRequestError(`contentType 'body' needs a string, bytes or an object, not ${typeof data}`);
}

/**
 * Encodes `data`; `undefined` when there is nothing to send (no data, or a `contentType` the seed dropped).
 * Only multipart needs a promise; the common cases stay synchronous.
 * @example encodeBody({ test: 'tested' }, 'json'); // { body: '{"test":"tested"}', contentType: 'application/json' }
 */
export function encodeBody(data: unknown, contentType: ContentType): EncodedBody | Promise<EncodedBody> | undefined {
  // requests sent no body for json=None: null is "no data" too.
  if (data === undefined || data === null) return undefined;
  if (contentType === 'json') return { body: JSON.stringify(data), contentType: 'application/json' };
  if (contentType === 'form') {
    if (!isRecord(data)) throw new InvalidRequestError("contentType 'form' needs an object of fields");
    return { body: formEncode(data), contentType: FORM };
  }
  if (contentType === 'multipart') {
    if (!isRecord(data)) throw new InvalidRequestError("contentType 'multipart' needs an object of fields");
    return multipartEncode(data);
  }
  if (contentType === 'body') return rawBody(data);
  if (contentType.includes('json')) return { body: JSON.stringify(data), contentType };
  return undefined;
}
