/**
 * Logging for every part of the toolkit, on pino. `getLogger(name)` gives a named logger; `setLogging(level)`
 * sets the level of all of them (the environment variable `LOG_LEVEL` wins, as in the seed).
 */
import { pino } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The logging surface the toolkit uses; a pino logger fits it, and so does a thin wrapper over `console`. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function levelFromEnvironment(fallback: LogLevel): LogLevel {
  const fromEnv = process.env.LOG_LEVEL?.toLowerCase();
  if (fromEnv === 'warning') return 'warn';
  if (fromEnv === 'critical') return 'fatal';
  return LEVELS.find((level) => level === fromEnv) ?? fallback;
}

const root = pino({ level: levelFromEnvironment('info'), base: null });
const loggers = new Map<string, pino.Logger>();

/**
 * Sets the level of every toolkit logger. `LOG_LEVEL` in the environment overrides `level`.
 * @example setLogging('debug');
 */
export function setLogging(level: LogLevel = 'debug'): void {
  const effective = levelFromEnvironment(level);
  root.level = effective;
  for (const logger of loggers.values()) logger.level = effective;
}

/**
 * A named logger. With a prefix the name is `prefix + (delimiter || '.') + name`, as the seed's `get_logger`.
 * @example getLogger('test', 'jopa'); // named 'jopa.test'
 */
export function getLogger(name = 'microservices', prefix = '', delimiter = ''): Logger & { readonly name: string } {
  const fullName = prefix ? `${prefix}${delimiter || '.'}${name}` : name;
  let logger = loggers.get(fullName);
  if (!logger) {
    logger = root.child({ name: fullName });
    loggers.set(fullName, logger);
  }
  return Object.assign(Object.create(logger) as pino.Logger, { name: fullName });
}

/**
 * Prefixes every message with `String(instance) + delimiter`, evaluated at call time (the seed's InstanceLogger).
 * @example instanceLogger(client, getLogger('microservices.http.client')).info('built');
 */
export function instanceLogger(instance: { toString(): string }, logger: Logger, delimiter = ' - '): Logger {
  const prefixed =
    (method: keyof Logger) =>
    (message: string, ...args: unknown[]): void => {
      logger[method](`${String(instance)}${delimiter}${message}`, ...args);
    };
  return {
    trace: prefixed('trace'),
    debug: prefixed('debug'),
    info: prefixed('info'),
    warn: prefixed('warn'),
    error: prefixed('error'),
  };
}
