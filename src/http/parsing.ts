/**
 * Request body parsing by media type: JSON (any JSON value), `application/x-www-form-urlencoded` (first value
 * per key, blanks kept) and `multipart/form-data` (fields and files). Anything else with a body is a 415;
 * errors are API exceptions so they render through negotiation and the envelope like the seed's.
 */
import { Busboy } from '@fastify/busboy';
import { ParseError, PayloadTooLarge, UnsupportedMediaType } from './errors.js';
import { decodeJsonBody, JsonBodyError, type ProtoPoisoning } from './json.js';
import { parseMediaTypeCached } from './media-type.js';

/**
 * An uploaded file from a multipart body.
 * @example app.post('/upload/', (req) => ({ size: req.files.upload?.size }));
 */
export interface UploadedFile {
  readonly fieldName: string;
  readonly filename: string;
  readonly contentType: string;
  readonly encoding: string;
  readonly data: Buffer;
  readonly size: number;
}

/** What a request body became. `data` is the seed's `request.data`. */
export interface ParsedBody {
  readonly data: unknown;
  readonly form: Record<string, string>;
  readonly files: Record<string, UploadedFile>;
  /** The normalised media type the body was parsed as (`''` when there was no body). */
  readonly mediaType: string;
}

/**
 * Bounds on form bodies, so a body costs CPU in proportion to its size: past any of them the request is 413.
 * @example new Microservice('x', { formLimits: { fields: 100 } });
 */
export interface FormLimits {
  /** Form fields, urlencoded or multipart (default 1000). */
  readonly fields?: number;
  /** Uploaded files in a multipart body (default 100). */
  readonly files?: number;
  /** Parts of a multipart body, fields and files together (default 1000). */
  readonly parts?: number;
  /** Bytes in one multipart field value (default 1 MiB). */
  readonly fieldSize?: number;
}

/**
 * The limits used where the service sets none.
 * @example new Microservice('x', { formLimits: { ...DEFAULT_FORM_LIMITS, files: 10 } });
 */
export const DEFAULT_FORM_LIMITS: Required<FormLimits> = {
  fields: 1000,
  files: 100,
  parts: 1000,
  fieldSize: 1024 * 1024,
};

/** An empty body: `data`, `form` and `files` are all `{}`. */
export function emptyBody(): ParsedBody {
  return { data: {}, form: {}, files: {}, mediaType: '' };
}

/** Sets a key as an own property even when it is `__proto__`, so form input can never reach a prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (Object.hasOwn(target, key)) return;
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function countFields(text: string, limit: number): void {
  let count = 1;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) {
    if (++count > limit) throw new PayloadTooLarge(`Too many form fields (limit ${limit}).`);
  }
}

/**
 * First value per key, blank values kept (`a=1&a=2&b=` gives `{ a: '1', b: '' }`); more than `maxFields`
 * fields is a 413.
 * @example parseUrlEncoded('a=1&a=2&b='); // { a: '1', b: '' }
 */
export function parseUrlEncoded(text: string, maxFields = DEFAULT_FORM_LIMITS.fields): Record<string, string> {
  countFields(text, maxFields);
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) setOwn(form, key, value);
  return form;
}

const CHUNK = 64 * 1024;

function parseMultipart(
  body: Buffer,
  contentType: string,
  boundary: string | undefined,
  limits: Required<FormLimits>,
): Promise<ParsedBody> {
  if (!boundary) throw new ParseError('Multipart message missing boundary in Content-Type header');
  return new Promise((resolve, reject) => {
    const form: Record<string, string> = {};
    const files: Record<string, UploadedFile> = {};
    const pending: Promise<void>[] = [];
    let refused: Error | undefined;
    const refuse = (what: string, limit: number) => (): void => {
      refused ??= new PayloadTooLarge(`Too many ${what} in the multipart body (limit ${limit}).`);
    };
    const parser = Busboy({
      headers: { 'content-type': contentType },
      limits: { fields: limits.fields, files: limits.files, parts: limits.parts, fieldSize: limits.fieldSize },
    });
    parser.on('field', (name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
      if (valueTruncated) refused ??= new PayloadTooLarge(`A form field is over ${limits.fieldSize} bytes.`);
      else setOwn(form, name, value);
    });
    parser.on('fieldsLimit', refuse('fields', limits.fields));
    parser.on('filesLimit', refuse('files', limits.files));
    parser.on('partsLimit', refuse('parts', limits.parts));
    parser.on('file', (fieldName, stream, filename, encoding, mimeType) => {
      pending.push(
        new Promise<void>((done, fail) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', fail);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            setOwn(files, fieldName, { fieldName, filename, contentType: mimeType, encoding, data, size: data.length });
            done();
          });
        }),
      );
    });
    parser.on('error', (error: unknown) => reject(new ParseError(`Multipart parse error - ${String(error)}`)));
    parser.on('finish', () => {
      if (refused) {
        reject(refused);
        return;
      }
      Promise.all(pending).then(
        () => resolve({ data: form, form, files, mediaType: 'multipart/form-data' }),
        (error: unknown) => reject(new ParseError(`Multipart parse error - ${String(error)}`)),
      );
    });
    // Written in slices so that parsing stops soon after a limit is passed.
    for (let at = 0; at < body.length && refused === undefined; at += CHUNK)
      parser.write(body.subarray(at, at + CHUNK));
    if (refused) {
      reject(refused);
      parser.destroy();
      return;
    }
    parser.end();
  });
}

/** Options for `parseBody`. */
export interface ParseBodyOptions {
  readonly maxJsonDepth: number;
  readonly protoPoisoning: ProtoPoisoning;
  /** Whether an empty JSON body is an error (true for POST, PUT and PATCH). */
  readonly emptyJsonIsError: boolean;
  /** Form bounds (defaults: `DEFAULT_FORM_LIMITS`). */
  readonly formLimits?: FormLimits;
}

/**
 * Parses `body` as `contentType` says. `undefined` or an empty body with no Content-Type is an empty body.
 * @example await parseBody(Buffer.from('a=1'), 'application/x-www-form-urlencoded', opts); // data { a: '1' }
 */
export async function parseBody(
  body: Buffer | undefined,
  contentType: string | undefined,
  options: ParseBodyOptions,
): Promise<ParsedBody> {
  return parseBodyEager(body, contentType, options);
}

/**
 * `parseBody` without a Promise where none is needed: JSON and urlencoded bodies are parsed (or refused, by a
 * throw) synchronously, so the request path adds no microtask turn; only multipart answers with a Promise.
 * @example const parsed = parseBodyEager(raw, 'application/json', opts); // ParsedBody
 */
export function parseBodyEager(
  body: Buffer | undefined,
  contentType: string | undefined,
  options: ParseBodyOptions,
): ParsedBody | Promise<ParsedBody> {
  const hasBody = body !== undefined && body.length > 0;
  if (contentType === undefined) {
    if (hasBody) throw new UnsupportedMediaType();
    return emptyBody();
  }
  const media = parseMediaTypeCached(contentType);
  if (media === undefined) throw new UnsupportedMediaType();
  const { essence } = media;
  if (essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'))) {
    if (!hasBody && !options.emptyJsonIsError) return emptyBody();
    try {
      const data = decodeJsonBody(body?.toString('utf8') ?? '', options.maxJsonDepth, options.protoPoisoning);
      return { data, form: {}, files: {}, mediaType: 'application/json' };
    } catch (error) {
      if (error instanceof JsonBodyError) throw new ParseError(error.message);
      throw error;
    }
  }
  const limits = { ...DEFAULT_FORM_LIMITS, ...options.formLimits };
  if (essence === 'application/x-www-form-urlencoded') {
    const form = parseUrlEncoded(body?.toString('utf8') ?? '', limits.fields);
    return { data: form, form, files: {}, mediaType: essence };
  }
  if (essence === 'multipart/form-data') {
    if (!hasBody) return { ...emptyBody(), mediaType: essence };
    return parseMultipart(body, contentType, media.params.boundary, limits);
  }
  if (!hasBody) return emptyBody();
  throw new UnsupportedMediaType();
}
