/**
 * Configuration from the environment, read in one place (twelve-factor): every variable the toolkit honours,
 * parsed and checked here, so a typo in a deployment fails at start with the variable's name instead of
 * surfacing later as a strange port or a silent default. Explicit options always win over these values; the
 * parts call {@link readEnv} only for what they were not given.
 */
import { ERRORS } from '../errors.js';

/** Log levels `LOG_LEVEL` accepts (case-insensitive; `warning` and `critical` are the seed's spellings). */
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'critical', 'silent']);
const FORMATS = new Set(['json', 'pretty']);

/** The environment, parsed. A field is `undefined` when its variable is unset or empty. */
export interface EnvConfig {
  /** `BROKER_URL`: the default broker of queue services and clients. */
  readonly brokerUrl: string | undefined;
  /** `LOG_LEVEL`, lower-cased. */
  readonly logLevel: string | undefined;
  /** `LOG_FORMAT`: `json` or `pretty`. */
  readonly logFormat: 'json' | 'pretty' | undefined;
  /** `PORT`: the HTTP service's port. */
  readonly port: number | undefined;
  /** `HOST`: the HTTP service's interface. */
  readonly host: string | undefined;
  /** `OPS_PORT`: the ops listener's port (health, readiness, metrics) of a queue-only service. */
  readonly opsPort: number | undefined;
  /** `OPS_HOST`: the ops listener's interface. */
  readonly opsHost: string | undefined;
  /** `METRICS_ENABLED`: `true`/`1`/`yes` turns `/metrics` on where no `metrics` option says otherwise. */
  readonly metricsEnabled: boolean | undefined;
  /** `SHUTDOWN_TIMEOUT_MS`: the drain deadline of `run(...)`. */
  readonly shutdownTimeoutMs: number | undefined;
  /** `SERVICE_NAME`: the name a service takes when none is given (also what log lines and spans carry). */
  readonly serviceName: string | undefined;
}

/** An environment to read: `process.env` or a record of your own. */
export type Env = Readonly<Record<string, string | undefined>>;

function bad(name: string, value: string, expected: string): never {
  // The value is shown cut short and only for variables that never hold a secret (not BROKER_URL).
  throw ERRORS.MS_OPS_INVALID_OPTION(
    `environment variable ${name} must be ${expected}, got ${JSON.stringify(value.slice(0, 40))}`,
  );
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, min: number, max: number): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    bad(name, value, `an integer from ${min} to ${max}`);
  }
  return Number(value);
}

function flag(env: Env, name: string): boolean | undefined {
  const value = text(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return bad(name, value, 'true or false');
}

/**
 * Parses the toolkit's environment variables; throws `MS_OPS_INVALID_OPTION` naming the first one that is set
 * to something unusable. Pass another record to read a different environment (tests).
 * @example
 * const env = readEnv();
 * await app.listen({ port: options.port ?? env.port ?? 5000 });
 */
export function readEnv(env: Env = process.env): EnvConfig {
  const logLevel = text(env, 'LOG_LEVEL')?.toLowerCase();
  if (logLevel !== undefined && !LEVELS.has(logLevel)) bad('LOG_LEVEL', logLevel, [...LEVELS].join(', '));
  const logFormat = text(env, 'LOG_FORMAT')?.toLowerCase();
  if (logFormat !== undefined && !FORMATS.has(logFormat)) bad('LOG_FORMAT', logFormat, 'json or pretty');
  const host = text(env, 'HOST');
  const opsHost = text(env, 'OPS_HOST');
  for (const [name, value] of [
    ['HOST', host],
    ['OPS_HOST', opsHost],
  ] as const) {
    if (value !== undefined && !/^[A-Za-z0-9.:[\]-]{1,255}$/.test(value)) bad(name, value, 'a host name or address');
  }
  const serviceName = text(env, 'SERVICE_NAME');
  if (serviceName !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(serviceName)) {
    bad('SERVICE_NAME', serviceName, '1-100 characters of A-Z a-z 0-9 _ . -');
  }
  return {
    brokerUrl: text(env, 'BROKER_URL'),
    logLevel,
    logFormat: logFormat as EnvConfig['logFormat'],
    port: integer(env, 'PORT', 0, 65_535),
    host,
    opsPort: integer(env, 'OPS_PORT', 0, 65_535),
    opsHost,
    metricsEnabled: flag(env, 'METRICS_ENABLED'),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 1, 3_600_000),
    serviceName,
  };
}
