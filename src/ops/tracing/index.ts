/** OpenTelemetry tracing on `@opentelemetry/api` alone: spans are no-ops until the application installs an SDK. */
export { headerGetter, headerSetter } from './carrier.js';
export { type ClientCall, startClientCall } from './http-client.js';
export { traceHttpRequests } from './http-server.js';
export { type HandleTrace, messagingSystem, type PublishTrace, tracedHandle, tracedPublish } from './messaging.js';
