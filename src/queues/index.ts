/**
 * `microservices-ts/queues`: the queue service and client, their context and options, and the transports
 * (chosen by URL scheme with `createTransport`, or passed in as an object).
 */

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
  QueueClient,
  type QueuePublisher,
} from './client.js';
export { type DecodeOptions, decodePayload, encodePayload, type Payload, PayloadDecodeError } from './codec.js';
export { type Connection, type ConnectionOptions, DEFAULT_BROKER_URL } from './connection.js';
export { type HandlerContext, type QueueHandler, QueueMessage, type QueueRule } from './context.js';
export { HandlerTimeoutError } from './handler-runner.js';
export type { QueueOpsOptions } from './ops.js';
export { DEAD_LETTER_HEADERS, type RetryOptions } from './retry.js';
export { Microservice, type MicroserviceOptions, type QueueOptions, QueueService } from './service.js';
export { createTransport, SUPPORTED_SCHEMES, type TransportFactory } from './transports/index.js';
export { MemoryTransport } from './transports/memory.js';
export type * from './transports/transport.js';
