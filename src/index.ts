/**
 * microservices-ts: HTTP services with a browsable API, a resource-navigating HTTP client, and queue services
 * and clients over real brokers. Each part also has its own entry point: `microservices-ts/http`,
 * `microservices-ts/client` and `microservices-ts/queues`.
 */
export { MicroservicesError } from './errors.js';
export { getLogger, instanceLogger, type Logger, type LogLevel, setLogging } from './logging.js';
export { maskPassword } from './secrets.js';
