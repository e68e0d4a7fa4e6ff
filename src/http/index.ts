/**
 * `microservices-ts/http`: the HTTP service with resource markers, content negotiation and the browsable page.
 * @example
 * import { Microservice, ResourceMarker, run } from 'microservices-ts/http';
 * const app = new Microservice('hello');
 * app.get('/', { resource: new ResourceMarker() }, () => 'Hello, world!');
 * await run(app, { port: 5000 });
 */

// The HTTP client is also reachable here, as the seed's `microservices.http.client` was beside its service.
// This entry point only re-exports it: the service's own modules never import the client.
export { Client, HttpClient, ResponseError } from '../client/index.js';
export type { CloseHook, StopContext } from '../lifecycle/part.js';
export {
  type ConnectionState,
  type HealthCheck,
  type HealthCheckOptions,
  type HealthCheckResult,
  HealthRegistry,
  type HealthReport,
} from '../ops/health.js';
export type { HttpRequestSample, Metrics, MetricsOption, MetricsRecorder } from '../ops/index.js';
export { type AsyncApiSource, type ServeAsyncApiOptions, serveAsyncApi } from './asyncapi-route.js';
export {
  APIException,
  AuthenticationFailed,
  MethodNotAllowed,
  NotAcceptable,
  NotAuthenticated,
  NotFound,
  ParseError,
  PayloadTooLarge,
  PermissionDenied,
  Throttled,
  UnsupportedMediaType,
} from './errors.js';
export type { FastifyRouteOptions } from './fastify-routes.js';
export { contentDisposition } from './headers.js';
export { JsonEncodeError, type ProtoPoisoning } from './json.js';
export { OPENAPI_ENDPOINT, type OpenApiOptions, openApiDocument } from './openapi-route.js';
export type { HttpOpsOptions } from './ops.js';
export { DEFAULT_FORM_LIMITS, type FormLimits, type UploadedFile } from './parsing.js';
export { HttpReply, reply } from './reply.js';
export type { HttpRequest, UrlFor, UrlForOptions } from './request.js';
export {
  ResourceMarker,
  type ResourceMarkerOptions,
  type ResourceRecord,
  type ResourceUrl,
  type UrlContext,
} from './resources.js';
export type {
  HttpRouteSchema,
  NoSchema,
  RouteRequest,
  RouteResult,
  ValidatedRequest,
} from './route-types.js';
export type { RuleParams } from './rule-params.js';
export { BuildError } from './rules.js';
export { type RunOptions, run } from './runner.js';
export {
  BaseResourceSchema,
  BrowserResourceSchema,
  ResourceSchema,
  type ResourceSchemaOptions,
  type SchemaNames,
  type SchemaOptions,
} from './schema.js';
export {
  HttpService,
  Microservice,
  type MicroserviceOptions,
  type RouteHandler,
  type RouteOptions,
} from './service.js';
export { INVALID_INPUT_MESSAGE, RouteContract, type ValidationErrorBody } from './validation.js';
