/** Operations: health and readiness, Prometheus metrics and the small ops listener for queue-only services. */
export {
  type ConnectionState,
  type HealthCheck,
  type HealthCheckOptions,
  type HealthCheckResult,
  HealthRegistry,
  type HealthReport,
} from './health.js';
export {
  createMetrics,
  type HttpRequestSample,
  type Metrics,
  type MetricsOptions,
  type MetricsRecorder,
  NOOP_METRICS,
} from './metrics.js';
export { type OpsServer, type OpsServerOptions, startOpsServer } from './ops-server.js';
export { type MetricsOption, processMetrics } from './shared-metrics.js';
