/**
 * The HTTP client's errors. All extend {@link ClientError}, which extends the toolkit's `MicroservicesError`, so
 * one `instanceof` catches every client failure and `code` says which one it was.
 */
import { CODES, MicroservicesError } from '../errors.js';

/**
 * The base of every error the HTTP client throws.
 * @example
 * try { await client.get('x'); } catch (error) { if (error instanceof ClientError) console.log(error.code); }
 */
export class ClientError extends MicroservicesError {}

/** What the client knows about a response that it refused: enough to debug it without keeping the socket. */
export interface ResponseSnapshot {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text (UTF-8). */
  readonly content: string;
  /** The URL that answered, with any password masked. */
  readonly url: string;
}

function describe(description: unknown): string {
  if (description instanceof Error) return description.message;
  return String(description);
}

/**
 * A response the client will not turn into a result: a status outside `okStatuses`, a body that is not JSON, or a
 * missing `key`. `toString()` gives the seed's text, `Error status code: N. Description: D`.
 * @example
 * try { await client.get({ key: 'missing' }); }
 * catch (error) { if (error instanceof ResponseError) console.log(error.statusCode, error.description); }
 */
export class ResponseError extends ClientError {
  /** The HTTP status of the refused response. */
  readonly statusCode: number;
  /** The response body as text. */
  readonly content: string;
  /** Why the response was refused: a sentence, or the error that parsing the body raised. */
  readonly description: string | Error;
  /** Status, headers, body and URL of the refused response. */
  readonly response: ResponseSnapshot;

  constructor(response: ResponseSnapshot, description: string | Error) {
    super(
      CODES.MS_CLIENT_RESPONSE,
      `Error status code: ${response.statusCode}. Description: ${describe(description)}`,
      {
        status: response.statusCode,
        ...(description instanceof Error ? { cause: description } : {}),
      },
    );
    this.statusCode = response.statusCode;
    this.content = response.content;
    this.description = description;
    this.response = response;
  }

  /** The seed's `str(error)`. */
  override toString(): string {
    return this.message;
  }
}

/** Which deadline ran out. `total` is the per-call `timeout`, the others are phases of one attempt. */
export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'total';

/**
 * A deadline ran out before the response was complete.
 * @example
 * try { await client.get({ timeout: 500 }); } catch (error) { if (error instanceof TimeoutError) console.log(error.phase); }
 */
export class TimeoutError extends ClientError {
  /** Which deadline ran out. */
  readonly phase: TimeoutPhase;

  constructor(phase: TimeoutPhase, timeoutMs: number, url: string, cause?: unknown) {
    super(CODES.MS_CLIENT_TIMEOUT, `Request to ${url} timed out (${phase} timeout ${timeoutMs} ms)`, {
      ...(cause === undefined ? {} : { cause }),
    });
    this.phase = phase;
  }
}

/**
 * The connection could not be made or broke before the response was complete (refused, reset, DNS failure).
 * `cause` holds the underlying socket error.
 * @example
 * try { await new Client('http://127.0.0.1:1/').get(); } catch (error) { if (error instanceof ConnectionError) console.log(error.cause); }
 */
export class ConnectionError extends ClientError {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(CODES.MS_CLIENT_CONNECTION, `Connection to ${url} failed: ${reason}`, { cause });
  }
}

/**
 * The response body was larger than the client's `maxResponseSize`; reading stopped at the limit.
 * @example
 * const client = new Client('http://localhost:5000/', { maxResponseSize: 1024 });
 * await client.get('big').catch((error) => error instanceof ResponseTooLargeError);
 */
export class ResponseTooLargeError extends ClientError {
  /** The limit, in bytes. */
  readonly limit: number;

  constructor(url: string, limit: number, cause?: unknown) {
    super(CODES.MS_CLIENT_TOO_LARGE, `Response from ${url} is larger than the limit of ${limit} bytes`, {
      ...(cause === undefined ? {} : { cause }),
    });
    this.limit = limit;
  }
}

/**
 * A redirect chain was longer than `maxRedirects`, or pointed somewhere the client will not follow.
 * @example
 * await client.get('loop').catch((error) => error instanceof TooManyRedirectsError);
 */
export class TooManyRedirectsError extends ClientError {
  constructor(url: string, message: string) {
    super(CODES.MS_CLIENT_REDIRECTS, `Redirect from ${url} refused: ${message}`);
  }
}

/**
 * The method, a header or the URL held a character that could smuggle a second request (CR, LF or NUL), or was
 * otherwise malformed. Thrown before any byte is sent.
 * @example
 * await client.get({ headers: { 'x-a': 'b\r\nx-b: c' } }).catch((error) => error.code === CODES.MS_CLIENT_INVALID_HEADER);
 */
export class InvalidRequestError extends ClientError {
  constructor(message: string) {
    super(CODES.MS_CLIENT_INVALID_HEADER, message);
  }
}

/**
 * A client or call option is out of range or of the wrong type (a timeout of 0, a negative one, NaN). Thrown by
 * `new Client()`, or as the rejection of the call, before anything is sent.
 * @example
 * await client.get({ timeout: Number.NaN }).catch((error) => error.code === CODES.MS_CLIENT_INVALID_OPTION);
 */
export class InvalidOptionError extends ClientError {
  constructor(message: string) {
    super(CODES.MS_CLIENT_INVALID_OPTION, message);
  }
}

/**
 * The endpoint given to `new Client()` is not an absolute `http://` or `https://` URL.
 * @example
 * try { new Client('localhost:5000'); } catch (error) { console.log(error instanceof InvalidEndpointError); }
 */
export class InvalidEndpointError extends ClientError {
  constructor(endpoint: string, reason: string) {
    super(CODES.MS_CLIENT_INVALID_URL, `Invalid client endpoint ${endpoint}: ${reason}`);
  }
}
