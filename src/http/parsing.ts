/**
 * Request body parsing by media type: JSON (any JSON value), `application/x-www-form-urlencoded` (first value
 * per key, blanks kept) and `multipart/form-data` (fields and files). Anything else with a body is a 415;
 * errors are API exceptions so they render through negotiation and the envelope like the seed's.
 */
import { Busboy } from '@fastify/busboy';
import { ParseError, UnsupportedMediaType } from './errors.js';
import { decodeJsonBody, JsonBodyError, type ProtoPoisoning } from './json.js';
import { parseMediaType } from './media-type.js';

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

/** An empty body: `data`, `form` and `files` are all `{}`. */
export function emptyBody(): ParsedBody {
  return { data: {}, form: {}, files: {}, mediaType: '' };
}

/** Sets a key as an own property even when it is `__proto__`, so form input can never reach a prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (Object.hasOwn(target, key)) return;
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * First value per key, blank values kept (`a=1&a=2&b=` gives `{ a: '1', b: '' }`).
 * @example parseUrlEncoded('a=1&a=2&b='); // { a: '1', b: '' }
 */
export function parseUrlEncoded(text: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) setOwn(form, key, value);
  return form;
}

function parseMultipart(body: Buffer, contentType: string, boundary: string | undefined): Promise<ParsedBody> {
  if (!boundary) throw new ParseError('Multipart message missing boundary in Content-Type header');
  return new Promise((resolve, reject) => {
    const form: Record<string, string> = {};
    const files: Record<string, UploadedFile> = {};
    const pending: Promise<void>[] = [];
    const parser = Busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: body.length + 1 } });
    parser.on('field', (name: string, value: string) => setOwn(form, name, value));
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
      Promise.all(pending).then(
        () => resolve({ data: form, form, files, mediaType: 'multipart/form-data' }),
        (error: unknown) => reject(new ParseError(`Multipart parse error - ${String(error)}`)),
      );
    });
    parser.end(body);
  });
}

/** Options for `parseBody`. */
export interface ParseBodyOptions {
  readonly maxJsonDepth: number;
  readonly protoPoisoning: ProtoPoisoning;
  /** Whether an empty JSON body is an error (true for POST, PUT and PATCH). */
  readonly emptyJsonIsError: boolean;
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
  const hasBody = body !== undefined && body.length > 0;
  if (contentType === undefined) {
    if (hasBody) throw new UnsupportedMediaType();
    return emptyBody();
  }
  const media = parseMediaType(contentType);
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
  if (essence === 'application/x-www-form-urlencoded') {
    const form = parseUrlEncoded(body?.toString('utf8') ?? '');
    return { data: form, form, files: {}, mediaType: essence };
  }
  if (essence === 'multipart/form-data') {
    if (!hasBody) return { ...emptyBody(), mediaType: essence };
    return parseMultipart(body, contentType, media.params.boundary);
  }
  if (!hasBody) return emptyBody();
  throw new UnsupportedMediaType();
}
