/**
 * The operations side of the queue parts: the broker connection state reported to a health registry and to
 * the metrics gauge, the handler and publish metrics, an optional ops listener (`ops: { port }`) for a
 * queue-only service, and the `onClose` hooks of the lifecycle verbs. service.ts, client.ts and
 * handler-runner.ts only call into this file.
 */
import { readEnv } from '../config/env.js';
import type { CloseHook } from '../lifecycle/part.js';
import { type ConnectionState, HealthRegistry } from '../ops/health.js';
import type { MetricsRecorder } from '../ops/metrics.js';
import { type OpsServer, startOpsServer } from '../ops/ops-server.js';
import { DeferredRecorder, type MetricsOption } from '../ops/shared-metrics.js';
import type { Transport } from './transports/transport.js';

/**
 * The operations options of queue services and clients.
 * @example new QueueService({ connection: 'amqp://rabbit/', metrics: true, ops: { port: 9464, host: '0.0.0.0' } });
 */
export interface QueueOpsOptions {
  /** The registry its broker connection reports to (default: one of its own, `part.health`). */
  readonly health?: HealthRegistry;
  /** `true`: record into the process-wide metric set; a set from `createMetrics()`: into that. Default off, or `METRICS_ENABLED`. */
  readonly metrics?: MetricsOption;
  /**
   * Serve `/healthz`, `/readyz` (and `/metrics` with metrics on) on a small listener of its own while running:
   * for a service without an HTTP part. `port` defaults to `OPS_PORT`, `host` to `OPS_HOST`, else 127.0.0.1.
   */
  readonly ops?: { readonly port?: number; readonly host?: string };
}

/** What the options checks of service.ts and client.ts accept besides their own. */
export const QUEUE_OPS_OPTIONS = ['health', 'metrics', 'ops'] as const;

/** `amqp://127.0.0.1:5672` from a display name (never credentials), made fit for a health check name. */
export function brokerLabel(displayName: string): string {
  let label = displayName;
  try {
    const url = new URL(displayName);
    label = `${url.protocol}//${url.host}`;
  } catch {
    // Not a URL (a transport passed in): its name, cleaned below.
  }
  return label.replace(/[^A-Za-z0-9_.:/-]/g, '_').slice(0, 90) || 'broker';
}

/**
 * One queue part's operations state.
 * @example const ops = new QueueOps('queue-service', connection.displayName, options);
 */
export class QueueOps {
  readonly health: HealthRegistry;
  readonly metrics: DeferredRecorder;
  readonly #name: string;
  readonly #broker: string;
  readonly #options: QueueOpsOptions;
  readonly #hooks: CloseHook[] = [];
  #server: Promise<OpsServer | undefined> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(role: 'queue-service' | 'client', displayName: string, options: QueueOpsOptions) {
    this.#options = options;
    this.health = options.health ?? new HealthRegistry();
    this.metrics = new DeferredRecorder(options.metrics);
    this.#broker = brokerLabel(displayName);
    this.#name = `${role}:${this.#broker}`;
  }

  #set(state: ConnectionState): void {
    this.health.setConnectionState(this.#name, state);
    this.metrics.setConnectionState(this.#broker, state);
  }

  /** Follows a transport's connection events (called once, when the part creates its transport); returns it. */
  watch(transport: Transport): Transport {
    this.#set('connecting');
    transport.on('connected', () => this.#set('up'));
    transport.on('disconnected', () => this.#set(this.#closing ? 'down' : 'reconnecting'));
    return transport;
  }

  /** Loads the metric set and, with `ops`, starts the ops listener. */
  async start(): Promise<void> {
    const metrics = await this.metrics.load();
    const ops = this.#options.ops;
    if (!ops || this.#closing) return;
    this.#server ??= (async () => {
      const env = readEnv();
      return startOpsServer({
        port: ops.port ?? env.opsPort ?? 0,
        host: ops.host ?? env.opsHost ?? '127.0.0.1',
        health: this.health,
        ...(metrics ? { metrics } : {}),
      });
    })();
    await this.#server;
  }

  /** The ops listener's URL once started (`http://127.0.0.1:9464`). */
  async opsUrl(): Promise<string | undefined> {
    return (await this.#server)?.url;
  }

  /** Readiness goes 503 first when the part starts stopping. */
  draining(): void {
    this.#closing = true;
    this.health.setDraining(true);
  }

  /** After the part closed: the connection is down, the ops listener closes, then the hooks run (reverse order). */
  closed(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#set('down');
    const server = await this.#server?.catch(() => undefined);
    await server?.close();
    for (const hook of [...this.#hooks].reverse()) await hook();
  }

  onClose(fn: CloseHook): void {
    this.#hooks.push(fn);
  }
}

/** Ends a handler's in-flight count and records its duration; absent while metrics are off. */
export type HandlerProbe = () => void;

/**
 * Counts a delivery handed to a handler and starts its in-flight count and timer.
 * @example execution.probe = handlerBegan(settings.metrics, rule.name);
 */
export function handlerBegan(metrics: MetricsRecorder | undefined, queue: string): HandlerProbe | undefined {
  if (!metrics?.enabled) return undefined;
  metrics.recordConsumed(queue);
  const end = metrics.handlerStarted(queue);
  const started = performance.now();
  return () => {
    end();
    metrics.recordHandlerDuration(queue, (performance.now() - started) / 1000);
  };
}

/** Counts a failed handler call. @example handlerFailed(settings.metrics, rule.name); */
export function handlerFailed(metrics: MetricsRecorder | undefined, queue: string): void {
  if (metrics?.enabled) metrics.recordFailed(queue);
}

/** Counts a failure's outcome: a retry, or a dead-letter. @example failureSettled(metrics, 'q', nack.requeue); */
export function failureSettled(metrics: MetricsRecorder | undefined, queue: string, requeue: boolean): void {
  if (!metrics?.enabled) return;
  if (requeue) metrics.recordRetried(queue);
  else metrics.recordDeadLettered(queue);
}

/**
 * Times a publish from the call to the broker's confirmation (only while metrics are on).
 * @example return observePublish(metrics, 'notes', transport.publish(target, message, options));
 */
export function observePublish(
  metrics: MetricsRecorder,
  destination: string,
  publishing: Promise<void>,
): Promise<void> {
  if (!metrics.enabled) return publishing;
  const started = performance.now();
  return publishing.then(() => metrics.recordPublishConfirm(destination, (performance.now() - started) / 1000));
}
