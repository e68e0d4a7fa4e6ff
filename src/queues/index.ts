/**
 * `microservices-ts/queues`: the queue service and client, their context and options, and the transports
 * (chosen by URL scheme with `createTransport`, or passed in as an object).
 */

// What a schema failure rejects with (publish) or is dead-lettered as (consume), so callers can catch it.
export type { ExchangeDescriptor } from '../contracts/asyncapi.js';
export type { AnySchema, InferInput, InferOutput } from '../contracts/infer.js';
export { ValidationError, type ValidationIssue } from '../contracts/validate.js';
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
export {
  Client,
  type ClientOptions,
  type DeclareExchangeOptions,
  type ExchangePublisher,
  type PublishProperties,
  type QueueCaller,
  QueueClient,
  type QueuePublisher,
} from './client.js';
export type { QueueHandleOptions } from './client-declarations.js';
export { type DecodeOptions, decodePayload, encodePayload, type Payload, PayloadDecodeError } from './codec.js';
export { type Connection, type ConnectionOptions, DEFAULT_BROKER_URL } from './connection.js';
export { type HandlerContext, type QueueHandler, QueueMessage, type QueueRule } from './context.js';
export type {
  AsyncApiOptions,
  PublisherContract,
  PublishPayload,
  QueueContract,
  SchemaHandler,
  SchemaReplyHandler,
} from './contracts.js';
export type { QueueStopOptions } from './drain-limit.js';
export { HandlerTimeoutError } from './handler-runner.js';
export type { QueueOpsOptions } from './ops.js';
export type { QueueTopologyOptions } from './queue-topology.js';
export { DEAD_LETTER_HEADERS, type RetryOptions } from './retry.js';
export type { CallOptions, CallStats } from './rpc/caller.js';
export type { RpcClientOptions } from './rpc/client-options.js';
export { type ErrorReplyBody, RemoteError } from './rpc/remote-error.js';
export { Microservice, type MicroserviceOptions, type QueueOptions, QueueService } from './service.js';
export { createTransport, SUPPORTED_SCHEMES, type TransportFactory } from './transports/index.js';
export { MemoryTransport } from './transports/memory/index.js';
// An explicit list, not `export type *`: a star export is silently shadowed by a local export of the same
// name (the service's QueueOptions hid the transport's), so the transport's one is renamed here.
export type {
  ConsumeOptions,
  Delivery,
  DeliveryHandler,
  DeliveryInfo,
  ExchangeOptions,
  ExchangeType,
  IncomingReply,
  MessageProperties,
  NackOptions,
  OutgoingMessage,
  PublishOptions,
  PublishTarget,
  QueueOptions as TransportQueueOptions,
  ReconnectOptions,
  ReplyHandler,
  ReplyInbox,
  Subscription,
  Transport,
  TransportCapabilities,
  TransportEventName,
  TransportEvents,
  TransportOptions,
} from './transports/transport.js';
