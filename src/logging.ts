/**
 * Logging for every part of the toolkit, on pino. `getLogger(name)` gives a named logger; `setLogging(level,
 * format)` sets the level (the environment variable `LOG_LEVEL` wins, as in the seed) and the format of all
 * of them. Every part also takes a logger of your own (any pino-compatible one, Fastify's included), and logs
 * structured fields through it (logging/fields.ts).
 */
import { pino } from 'pino';
import { destination, type LogFormat } from './logging/destination.js';
import { boundLogger, type LogFields, isPinoLike as takesFields } from './logging/fields.js';

export type { LogFormat } from './logging/destination.js';
export type { LogFields } from './logging/fields.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The logging surface the toolkit needs from a logger you pass in; a pino logger fits it, so does `console`. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** A level name for {@link InstanceLogger.log}; `warning` and `critical` are Python's names. */
export type LogMethodLevel = Exclude<LogLevel, 'silent'> | 'warning' | 'critical';

/**
 * What `getLogger()` and `instanceLogger()` give: {@link Logger} plus the seed InstanceLogger's other methods.
 * @example
 * const logger = getLogger('worker');
 * try { await work(); } catch (error) { logger.exception('work failed', error); }
 * logger.log('warning', 'disk almost full');
 */
export interface InstanceLogger extends Logger {
  /** Logs at the highest level (pino's `fatal`). */
  fatal(message: string, ...args: unknown[]): void;
  /** The same as `fatal` (Python's name). */
  critical(message: string, ...args: unknown[]): void;
  /** Logs at `error` with the error object (its message and stack), as Python's `logger.exception`. */
  exception(message: string, error?: unknown, ...args: unknown[]): void;
  /** Logs at the named level (the seed's `.log(level, msg)` took the level for the message). */
  log(level: LogMethodLevel, message: string, ...args: unknown[]): void;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Which method a level name calls; an unknown name logs at info rather than throwing (logging must not fail). */
function methodFor(level: string): keyof Logger | 'fatal' | undefined {
  switch (level) {
    case 'trace':
    case 'debug':
    case 'info':
    case 'warn':
    case 'error':
    case 'fatal':
      return level;
    case 'warning':
      return 'warn';
    case 'critical':
      return 'fatal';
    case 'silent':
      return undefined;
    default:
      return 'info';
  }
}

/** pino takes structured fields as a first object argument; a console-like logger does not. */
function isPinoLike(logger: Logger): logger is Logger & pino.BaseLogger {
  const candidate = logger as Partial<pino.Logger>;
  return typeof candidate.child === 'function' && typeof candidate.levels === 'object';
}

/** Logs `message` at error with `error` attached: as pino's `err` field, or as an extra argument. */
function logException(logger: Logger, message: string, error: unknown, args: unknown[]): void {
  const own = (logger as Partial<InstanceLogger>).exception;
  if (typeof own === 'function') own.call(logger, message, error, ...args);
  else if (isPinoLike(logger)) logger.error({ err: error }, message, ...args);
  else logger.error(message, error, ...args);
}

/** Logs at fatal when the logger has that level, else at error. */
function logFatal(logger: Logger, message: string, args: unknown[]): void {
  const own = (logger as Partial<InstanceLogger>).fatal;
  if (typeof own === 'function') own.call(logger, message, ...args);
  else logger.error(message, ...args);
}

function logAt(logger: Logger, level: LogMethodLevel, message: string, args: unknown[]): void {
  const method = methodFor(String(level));
  if (method === 'fatal') logFatal(logger, message, args);
  else if (method !== undefined) logger[method](message, ...args);
}

function levelFromEnvironment(fallback: LogLevel): LogLevel {
  const fromEnv = process.env.LOG_LEVEL?.toLowerCase();
  if (fromEnv === 'warning') return 'warn';
  if (fromEnv === 'critical') return 'fatal';
  return LEVELS.find((level) => level === fromEnv) ?? fallback;
}

const root = pino({ level: levelFromEnvironment('info'), base: null }, destination);
const loggers = new Map<string, pino.Logger>();

/** A level name as a seed user may write it (`'DEBUG'`, `'WARNING'`, `'CRITICAL'`). */
function levelName(level: string): LogLevel {
  const lower = level.toLowerCase();
  if (lower === 'warning') return 'warn';
  if (lower === 'critical') return 'fatal';
  return LEVELS.find((known) => known === lower) ?? 'info';
}

/**
 * Sets the level, and with `format` the output format, of every toolkit logger (not of a logger you passed
 * in: that one is yours to configure). `LOG_LEVEL` in the environment overrides `level`, as in the seed; a
 * `format` given here wins over `LOG_FORMAT`. Formats: `'json'` (pino lines), `'pretty'` (needs pino-pretty),
 * or a Python logging template such as `'%(asctime)s - %(name)s - %(levelname)s - %(message)s'`.
 * @example setLogging('debug', '%(asctime)s - %(name)s - %(levelname)s - %(message)s');
 */
export function setLogging(level: LogLevel = 'debug', format?: LogFormat): void {
  const effective = levelFromEnvironment(levelName(level));
  root.level = effective;
  for (const logger of loggers.values()) logger.level = effective;
  if (format !== undefined) destination.use(format);
}

/**
 * The logger a part logs through: a pino-compatible `logger` becomes a child with `fields` (`{ service }`,
 * `{ queue }`), so every line carries them as JSON fields; a console-like logger, which cannot take fields,
 * gets the seed's `<instance> - ` prefix when `instance` is given.
 * @example const log = contextLogger(options.logger ?? getLogger('microservices.queues.service'), { service: name }, this);
 */
export function contextLogger(logger: Logger, fields: LogFields, instance?: { toString(): string }): InstanceLogger {
  if (takesFields(logger)) return boundLogger(logger, fields);
  if (instance !== undefined) return instanceLogger(instance, logger, ' - ');
  return instanceLogger({ toString: () => '' }, logger, '');
}

/**
 * A named logger. With a prefix the name is `prefix + (delimiter || '.') + name`, as the seed's `get_logger`.
 * @example getLogger('test', 'jopa'); // named 'jopa.test'
 */
export function getLogger(
  name = 'microservices',
  prefix = '',
  delimiter = '',
): InstanceLogger & { readonly name: string } {
  const fullName = prefix ? `${prefix}${delimiter || '.'}${name}` : name;
  let logger = loggers.get(fullName);
  if (!logger) {
    logger = root.child({ name: fullName });
    loggers.set(fullName, logger);
  }
  const named = Object.create(logger) as pino.Logger;
  return Object.assign(named, {
    name: fullName,
    critical: (message: string, ...args: unknown[]): void => logFatal(named, message, args),
    exception: (message: string, error?: unknown, ...args: unknown[]): void =>
      named.error({ err: error }, message, ...args),
    log: (level: LogMethodLevel, message: string, ...args: unknown[]): void => logAt(named, level, message, args),
  });
}

/**
 * Prefixes every message with `String(instance) + delimiter`, evaluated at call time (the seed's InstanceLogger,
 * with its `fatal`, `critical`, `exception` and `log`; on a logger without `fatal`, those log at error).
 * @example instanceLogger(client, getLogger('microservices.http.client')).info('built');
 */
export function instanceLogger(instance: { toString(): string }, logger: Logger, delimiter = ' - '): InstanceLogger {
  const prefix = (message: string): string => `${String(instance)}${delimiter}${message}`;
  const prefixed =
    (method: keyof Logger) =>
    (message: string, ...args: unknown[]): void => {
      logger[method](prefix(message), ...args);
    };
  return {
    trace: prefixed('trace'),
    debug: prefixed('debug'),
    info: prefixed('info'),
    warn: prefixed('warn'),
    error: prefixed('error'),
    fatal: (message, ...args) => logFatal(logger, prefix(message), args),
    critical: (message, ...args) => logFatal(logger, prefix(message), args),
    exception: (message, error, ...args) => logException(logger, prefix(message), error, args),
    log: (level, message, ...args) => logAt(logger, level, prefix(message), args),
  };
}
