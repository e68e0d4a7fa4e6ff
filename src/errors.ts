/**
 * The one error catalogue: every code the toolkit throws, once, with when it happens and what to do.
 * `docs/errors.md` is written from this table; a code not listed here does not type-check.
 */
interface CatalogueEntry {
  /** When the error is raised. */
  readonly when: string;
  /** What the caller can do about it. */
  readonly action: string;
}

export const ERROR_CATALOGUE = {
  // HTTP service
  MS_HTTP_API_ERROR: {
    when: 'a handler threw an APIException without a more specific code',
    action: 'read the message',
  },
  MS_HTTP_NOT_FOUND: { when: 'no rule matches the path (404)', action: 'check the URL' },
  MS_HTTP_METHOD_NOT_ALLOWED: {
    when: 'a rule matches the path but not the method (405)',
    action: 'use a method from Allow',
  },
  MS_HTTP_NOT_ACCEPTABLE: {
    when: 'no representation satisfies Accept (406)',
    action: 'accept application/json or text/html',
  },
  MS_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    when: 'the body has a missing or unsupported Content-Type (415)',
    action: 'send a supported media type',
  },
  MS_HTTP_PAYLOAD_TOO_LARGE: {
    when: 'the body is over a limit: bodyLimit, or formLimits for form fields, parts and files (413)',
    action: 'send a smaller body or raise the limit',
  },
  MS_HTTP_PARSE_ERROR: { when: 'the body could not be parsed (400)', action: 'send a well-formed body' },
  MS_HTTP_AUTHENTICATION_FAILED: { when: 'credentials were refused (401)', action: 'send valid credentials' },
  MS_HTTP_NOT_AUTHENTICATED: { when: 'credentials are missing (401)', action: 'authenticate first' },
  MS_HTTP_PERMISSION_DENIED: { when: 'the caller may not do this (403)', action: 'ask for permission' },
  MS_HTTP_THROTTLED: { when: 'too many requests (429)', action: 'retry after Retry-After' },
  MS_HTTP_JSON_ENCODE: {
    when: 'a handler returned data that cannot be encoded as JSON (500)',
    action: 'return JSON-safe data',
  },
  MS_HTTP_BAD_HOST: {
    when: 'the Host (or trusted X-Forwarded-Host) is not among allowedHosts (400)',
    action: 'use a listed host name, or add it to allowedHosts',
  },
  MS_HTTP_URL_BUILD: {
    when: 'urlFor() cannot build a URL for the endpoint and values given',
    action: 'check the endpoint name and values',
  },
  // HTTP client
  MS_CLIENT_CONNECTION: {
    when: 'the connection failed or broke',
    action: 'check the service is up; idempotent requests are retried',
  },
  MS_CLIENT_TIMEOUT: {
    when: 'the request did not finish within its timeout',
    action: 'raise timeout or check the service',
  },
  MS_CLIENT_RESPONSE: {
    when: 'the response status is not among okStatuses',
    action: 'read status and body on the error',
  },
  MS_CLIENT_TOO_LARGE: {
    when: 'the response body is over maxResponseSize',
    action: 'raise the limit or page the resource',
  },
  MS_CLIENT_INVALID_URL: { when: 'the URL or a path part is not valid', action: 'fix the URL' },
  MS_CLIENT_INVALID_HEADER: { when: 'a header name or value would allow injection', action: 'remove CR, LF and NUL' },
  MS_CLIENT_INVALID_OPTION: {
    when: 'a client or call option is out of range or of the wrong type (a timeout of 0, negative or NaN)',
    action: 'fix the option; the message names it',
  },
  MS_CLIENT_REDIRECTS: {
    when: 'too many redirects, or a redirect to an unsupported scheme',
    action: 'check the service',
  },
  // Queues: configuration
  MS_QUEUE_BAD_URL: { when: 'the broker URL or one of its settings is not valid', action: 'fix the URL' },
  MS_QUEUE_UNKNOWN_SCHEME: {
    when: 'no transport handles the URL scheme',
    action: 'use memory, amqp, redis, nats or mqtt',
  },
  MS_QUEUE_PEER_MISSING: {
    when: 'the optional broker client package is not installed',
    action: 'install the package the message names',
  },
  MS_QUEUE_INVALID_NAME: {
    when: 'a queue or exchange name is empty, too long or reserved',
    action: 'choose another name',
  },
  MS_QUEUE_BAD_OPTION: {
    when: 'an option is unknown, has a value the transport cannot use (an unknown exchange type), or a numeric option is NaN, negative, fractional or out of range',
    action: 'fix the option the message names',
  },
  MS_QUEUE_UNSUPPORTED: {
    when: 'a queue asks for a feature its broker does not have (message priorities on Redis, NATS or MQTT)',
    action: 'drop the option or use a broker that has it; the message names the broker',
  },
  MS_QUEUE_DUPLICATE: { when: 'a queue got a second handler on one service', action: 'register each queue once' },
  MS_QUEUE_BAD_BINDING: { when: 'a binding key is not valid for the exchange type', action: 'fix the routing key' },
  MS_QUEUE_EXCHANGE_MISMATCH: { when: 'an exchange exists with another type', action: 'delete it or use its type' },
  // Queues: connection
  MS_QUEUE_CONNECT_FAILED: { when: 'the broker could not be reached', action: 'check the broker; it is retried' },
  MS_QUEUE_ACCESS_REFUSED: {
    when: 'the broker refused the login or the access (bad credentials, not authorized); not retried',
    action: 'fix the credentials or the broker permissions in the URL',
  },
  MS_QUEUE_CONFIG_REFUSED: {
    when: 'a connection setting that retrying cannot fix: unknown virtual host (AMQP 530), TLS refused, host not found',
    action: 'fix the URL or the broker setting the message names; not retried',
  },
  MS_QUEUE_NOT_CONNECTED: {
    when: 'an operation needs the broker and the connection is down',
    action: 'retry once reconnected',
  },
  MS_QUEUE_CONNECTION_LOST: {
    when: 'the connection closed before the broker answered',
    action: 'retry; the outcome is unknown',
  },
  MS_QUEUE_CLOSED: { when: 'the client, service or transport was closed', action: 'create a new one' },
  MS_QUEUE_STOPPED: { when: 'the queue service is stopping', action: 'none: in-flight work is requeued' },
  MS_QUEUE_BUSY: { when: 'the operation conflicts with a live consumer', action: 'stop consuming first' },
  // Queues: publishing
  MS_QUEUE_UNKNOWN_EXCHANGE: { when: 'the exchange does not exist', action: 'declare it first' },
  MS_QUEUE_UNROUTABLE: {
    when: 'no queue is bound for the message',
    action: 'declare the queue or start its service first',
  },
  MS_QUEUE_NOT_FOUND: { when: 'the queue does not exist', action: 'declare it first' },
  MS_QUEUE_PUBLISH_TIMEOUT: {
    when: 'the broker did not confirm within timeoutMs',
    action: 'retry with a message id; the message may have been delivered',
  },
  MS_QUEUE_PUBLISH_ABORTED: { when: 'the publish signal aborted', action: 'none; the message may have been delivered' },
  MS_QUEUE_PUBLISH_NACKED: { when: 'the broker refused the message (nack)', action: 'retry later' },
  MS_QUEUE_PUBLISH_FAILED: { when: 'the broker refused the publish', action: 'read the cause' },
  MS_QUEUE_PUBLISH_BUFFER_FULL: { when: 'too many publishes wait for the connection', action: 'slow down or wait' },
  MS_QUEUE_MESSAGE_TOO_LARGE: {
    when: "the message is larger than the broker's limit or the publish buffer can ever hold",
    action: 'send less (store the data elsewhere and send a reference) or raise the limit the message names',
  },
  MS_QUEUE_UNENCODABLE: { when: 'the payload or its properties cannot be encoded', action: 'send JSON-safe data' },
  MS_QUEUE_UNDECODABLE: { when: 'a message body cannot be decoded', action: 'none: it is dead-lettered' },
  // Queues: handling
  MS_QUEUE_HANDLER_TIMEOUT: { when: 'a handler ran past timeoutMs', action: 'make it faster or raise timeoutMs' },
  MS_QUEUE_DELIVERY_LIMIT: {
    when: 'a message was delivered too often without its handler finishing',
    action: 'look for consumer crashes',
  },
  // Queues: request/reply
  MS_QUEUE_REPLY_TIMEOUT: {
    when: 'no reply to a call() arrived within its timeoutMs',
    action: 'raise timeoutMs or check the service; the request may still run, and its late reply is dropped',
  },
  MS_QUEUE_TOO_MANY_CALLS: {
    when: 'more call()s wait for a reply than the client allows (maxPendingCalls)',
    action: 'wait for replies before calling again, or raise maxPendingCalls',
  },
  MS_QUEUE_HANDLER_FAILED: {
    when: 'the remote handler of a call() threw an error that has no code of its own',
    action: 'read the message; the remote service logged the failure',
  },
  MS_QUEUE_RPC_UNSUPPORTED: {
    when: 'call() was used on a transport that cannot receive replies',
    action: 'use a built-in transport, or implement replies() and reply() in yours',
  },
  MS_QUEUE_REPLY_INVALID: {
    when: "a call() reply does not match the queue's reply schema: checked by the service before sending (the caller gets a RemoteError with this code) and by the client on receipt",
    action: 'fix the handler (it returned the wrong shape) or the reply schema the message names; its issues say where',
  },
  // Operations
  MS_OPS_PEER_MISSING: {
    when: 'metrics were turned on and the optional package prom-client is not installed',
    action: 'install the package the message names (npm install prom-client)',
  },
  MS_OPS_INVALID_OPTION: {
    when: 'a lifecycle, health or metrics option is out of range or of the wrong type (a drain timeout of 0)',
    action: 'fix the option the message names',
  },
  // Contracts
  MS_VALIDATION_FAILED: {
    when: 'a body, query, header or payload does not match its schema (400 over HTTP)',
    action: 'fix the fields named in issues',
  },
  MS_CONTRACT_INVALID: {
    when: 'a route rule, schema or descriptor cannot be turned into an OpenAPI or AsyncAPI document',
    action: 'fix the rule or descriptor the message names',
  },
} as const satisfies Record<string, CatalogueEntry>;

/** Every code the toolkit throws. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Every code by name, for code that branches on or passes a code without writing it as a string.
 * @example if (error.code === CODES.MS_QUEUE_CLOSED) reconnect();
 */
export const CODES = Object.freeze(Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((code) => [code, code]))) as {
  readonly [C in ErrorCode]: C;
};

/** The base of every error the toolkit throws: a stable `code` to branch on, `status` where HTTP applies. */
export class MicroservicesError extends Error {
  /** A stable, documented identifier such as `MS_HTTP_NOT_FOUND`; never changes between releases. */
  readonly code: ErrorCode;
  /** The HTTP status this error maps to, when it maps to one. */
  readonly status: number | undefined;

  /**
   * Prefer the factory of the code, `ERRORS.MS_QUEUE_CLOSED(message)`, which gives the same error.
   * @example throw new MicroservicesError(CODES.MS_QUEUE_CLOSED, 'the client is closed');
   */
  constructor(code: ErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
  }
}

/** What a factory of `ERRORS` takes besides the message. */
export interface ErrorOptions {
  /** The HTTP status the error maps to, where one applies. */
  readonly status?: number;
  /** The underlying error, passed through as `error.cause`. */
  readonly cause?: unknown;
}

/** A `MicroservicesError` whose `code` is known to be `C`. */
export type CodedError<C extends ErrorCode> = MicroservicesError & { readonly code: C };

/** Makes the error of one code; it does not throw it. */
export type ErrorFactory<C extends ErrorCode> = (message: string, options?: ErrorOptions) => CodedError<C>;

/**
 * A factory per catalogue code, keyed by the code itself (so a search for `MS_QUEUE_CLOSED` finds every place
 * that raises it). Built from `ERROR_CATALOGUE`, so the keys are exactly the catalogue's codes: a code added
 * there has its factory at once, and a code not listed there does not type-check.
 * @example
 * throw ERRORS.MS_QUEUE_CLOSED(`${name} is closed`);
 * throw ERRORS.MS_QUEUE_PUBLISH_FAILED('the broker refused the publish', { cause: error });
 */
export const ERRORS = Object.freeze(
  Object.fromEntries(
    (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).map((code) => [
      code,
      (message: string, options?: ErrorOptions) => new MicroservicesError(code, message, options),
    ]),
  ),
) as { readonly [C in ErrorCode]: ErrorFactory<C> };
