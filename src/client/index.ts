/**
 * `microservices-ts/client`: the HTTP client (the seed's `microservices.http.client`), on undici.
 * @example
 * import { Client } from 'microservices-ts/client';
 * const client = new Client('http://localhost:5000/');
 * console.log(await client.get({ key: 'response' }));
 */
export { BaseClient, Client, Client as HttpClient, type ClientConstructor } from './client.js';
export {
  ClientError,
  ConnectionError,
  InvalidEndpointError,
  InvalidOptionError,
  InvalidRequestError,
  ResponseError,
  type ResponseSnapshot,
  ResponseTooLargeError,
  TimeoutError,
  type TimeoutPhase,
  TooManyRedirectsError,
} from './errors.js';
export { MAX_TIMEOUT_MS } from './option-checks.js';
export type {
  Auth,
  ClientOptions,
  ContentType,
  HeaderValues,
  MultipartValue,
  RequestOptions,
  RetryOptions,
  Timeouts,
  Verb,
  VerbArguments,
} from './options.js';
export type { QueryObject, QueryScalar } from './query.js';
export { Resource, type ResourceOwner } from './resource.js';
export type { RawResponse } from './transport.js';
export {
  type RulesFor,
  type TypedClient,
  type TypedClientOptions,
  type TypedQueryValue,
  type TypedRequestInit,
  type TypedResponse,
  typedClient,
} from './typed.js';
export type { PathPart } from './url.js';
export type { DynamicVerbs } from './verbs.js';
