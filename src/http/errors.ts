/**
 * The API exception family (Flask-API's, which the seed re-exported): throw one from a handler and the client
 * gets `{"message": detail}` with the class's status, negotiated (JSON or HTML) and passed through the
 * resource envelope.
 */
import { CODES, type ErrorCode, MicroservicesError } from '../errors.js';
import { assertValidHeaders } from './headers.js';

/**
 * Base of the API exceptions; `detail` is the message shown to the client.
 * @example throw new APIException('Something failed', { status: 503 });
 */
export class APIException extends MicroservicesError {
  /** Extra response headers this error needs (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    detail = '',
    options: { status?: number; code?: ErrorCode; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(options.code ?? CODES.MS_HTTP_API_ERROR, detail, { status: options.status ?? 500, cause: options.cause });
    // A header Node would refuse breaks the error response itself; say so where the exception is made.
    if (options.headers !== undefined) assertValidHeaders(options.headers, this.constructor.name);
    this.headers = options.headers ?? {};
  }

  /** The message shown to the client. */
  get detail(): string {
    return this.message;
  }

  /** The HTTP status (always set for API exceptions). */
  get statusCode(): number {
    return this.status ?? 500;
  }
}

function apiError(code: ErrorCode, status: number, defaultDetail: string) {
  return class extends APIException {
    constructor(detail: string = defaultDetail, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
      super(detail, { ...options, status, code });
    }
  };
}

/**
 * 400: the request body could not be parsed.
 * @example throw new ParseError('JSON parse error - Unexpected token');
 */
export class ParseError extends apiError(CODES.MS_HTTP_PARSE_ERROR, 400, 'Malformed request.') {}

/**
 * 401: credentials were given but are wrong.
 * @example throw new AuthenticationFailed();
 */
export class AuthenticationFailed extends apiError(
  CODES.MS_HTTP_AUTHENTICATION_FAILED,
  401,
  'Incorrect authentication credentials.',
) {}

/**
 * 401: no credentials were given.
 * @example throw new NotAuthenticated();
 */
export class NotAuthenticated extends apiError(
  CODES.MS_HTTP_NOT_AUTHENTICATED,
  401,
  'Authentication credentials were not provided.',
) {}

/**
 * 403: the caller may not do this.
 * @example throw new PermissionDenied();
 */
export class PermissionDenied extends apiError(
  CODES.MS_HTTP_PERMISSION_DENIED,
  403,
  'You do not have permission to perform this action.',
) {}

/**
 * 404: the resource does not exist.
 * @example throw new NotFound(`No note ${id}`);
 */
export class NotFound extends apiError(CODES.MS_HTTP_NOT_FOUND, 404, 'This resource does not exist.') {}

/**
 * 405: the method is not allowed here (the service adds `Allow` for its own 405s).
 * @example throw new MethodNotAllowed();
 */
export class MethodNotAllowed extends apiError(CODES.MS_HTTP_METHOD_NOT_ALLOWED, 405, 'Method not allowed.') {}

/**
 * 406: no representation satisfies the `Accept` header.
 * @example throw new NotAcceptable();
 */
export class NotAcceptable extends apiError(
  CODES.MS_HTTP_NOT_ACCEPTABLE,
  406,
  'Could not satisfy the request Accept header.',
) {}

/**
 * 413: the request body is over a limit (a form with too many fields, parts or files, or a field too long).
 * @example throw new PayloadTooLarge('Too many form fields (limit 1000).');
 */
export class PayloadTooLarge extends apiError(CODES.MS_HTTP_PAYLOAD_TOO_LARGE, 413, 'Request body is too large.') {}

/**
 * 415: the request body's Content-Type is missing, malformed or not supported.
 * @example throw new UnsupportedMediaType();
 */
export class UnsupportedMediaType extends apiError(
  CODES.MS_HTTP_UNSUPPORTED_MEDIA_TYPE,
  415,
  'Unsupported media type in the request Content-Type header.',
) {}

/**
 * 429 with `Retry-After` when `retryAfterSeconds` is given.
 * @example throw new Throttled('Slow down', 30);
 */
export class Throttled extends APIException {
  constructor(detail = 'Request was throttled.', retryAfterSeconds?: number) {
    super(detail, {
      status: 429,
      code: CODES.MS_HTTP_THROTTLED,
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.ceil(retryAfterSeconds)) },
    });
  }
}
