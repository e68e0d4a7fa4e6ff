/**
 * microservices-ts: HTTP services with a browsable API, a resource-navigating HTTP client, and queue services
 * and clients over real brokers. Each part has its own entry point with its full API: `microservices-ts/http`,
 * `microservices-ts/client` and `microservices-ts/queues`. The root exports each part's main class under a
 * name that says which part it is, plus the shared pieces.
 * @example
 * import { HttpService, HttpClient, QueueService, QueueClient } from 'microservices-ts';
 * const app = new HttpService('notes');
 * const worker = new QueueService({ connection: 'memory://notes' });
 *
 * `run(...parts, options)` is the root-level orchestrator of the shared lifecycle (`runParts` is its core);
 * `microservices-ts/http`'s `run(app, { port })` stays the one-service runner.
 */
export { HttpClient, ResponseError } from './client/index.js';
export { type Env, type EnvConfig, readEnv } from './config/env.js';
export { MicroservicesError } from './errors.js';
export { HttpService, ResourceMarker, ResourceSchema } from './http/index.js';
export {
  type CloseHook,
  closeablePart,
  type Part,
  type PartKind,
  type RunHandle,
  type RunPartsOptions,
  runParts,
  type StopContext,
  type StopReason,
  type StopResult,
} from './lifecycle/index.js';
export {
  getLogger,
  type InstanceLogger,
  instanceLogger,
  type LogFormat,
  type Logger,
  type LogLevel,
  type LogMethodLevel,
  setLogging,
} from './logging.js';
export {
  type ConnectionState,
  createMetrics,
  type HealthCheck,
  type HealthCheckOptions,
  type HealthCheckResult,
  HealthRegistry,
  type HealthReport,
  type HttpRequestSample,
  type Metrics,
  type MetricsOption,
  type MetricsOptions,
  type MetricsRecorder,
  NOOP_METRICS,
  type OpsServer,
  type OpsServerOptions,
  processMetrics,
  startOpsServer,
} from './ops/index.js';
export type { QueueStopOptions } from './queues/index.js';
export { type CallStats, QueueClient, QueueService, RemoteError } from './queues/index.js';
export { type RunOptions, run } from './run.js';
export { maskPassword } from './secrets.js';
