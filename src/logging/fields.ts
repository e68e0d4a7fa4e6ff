/**
 * Structured fields on any logger. A pino-compatible logger (pino, Fastify's `request.log`/`fastify.log`,
 * anything with `child`) gets them as pino fields (`logger.child({ service })`, `logger.error({ err }, msg)`);
 * a console-like logger that takes only strings keeps the seed's `<instance> - ` prefix and gets the fields
 * as a trailing argument.
 */
import type { InstanceLogger, Logger, LogMethodLevel } from '../logging.js';

/** Fields of one log record: `service`, `queue`, `messageId`, `attempt`, `err`, ... */
export type LogFields = Readonly<Record<string, unknown>>;

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A logger that takes pino's `(fields, message)` form. */
export interface PinoLike extends Logger {
  child(bindings: Record<string, unknown>): PinoLike;
  fatal?(message: string, ...args: unknown[]): void;
  isLevelEnabled?(level: string): boolean;
}

/** Whether `logger` takes structured fields (it has pino's `child`). */
export function isPinoLike(logger: Logger): logger is PinoLike {
  return typeof (logger as Partial<PinoLike>).child === 'function';
}

/**
 * Logs `message` with `fields`: `logger[level](fields, message)` on pino, `logger[level](message, fields)`
 * on a console-like logger (which never sees an object where it expects its message).
 * @example logWith(rule.logger, 'error', { err, messageId, attempt }, 'Something happened in user handler');
 */
export function logWith(logger: Logger, level: Level, fields: LogFields, message: string): void {
  const method = level === 'fatal' ? (logger as PinoLike).fatal : logger[level];
  if (typeof method !== 'function') {
    logger.error(message, fields);
    return;
  }
  if (isPinoLike(logger)) {
    (method as unknown as (fields: LogFields, message: string) => void).call(logger, fields, message);
    return;
  }
  // A string-only logger has nowhere else to put the error: its stack goes into the line, as the seed's did.
  const { err, ...rest } = fields;
  const line =
    err === undefined ? message : `${message}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  if (Object.keys(rest).length === 0) method.call(logger, line);
  else method.call(logger, line, rest);
}

/** Whether `level` is on; a logger that cannot say is assumed on. */
export function levelEnabled(logger: Logger, level: Level): boolean {
  const check = (logger as PinoLike).isLevelEnabled;
  return typeof check !== 'function' || check.call(logger, level);
}

function levelMethod(level: string): Level | undefined {
  switch (level) {
    case 'warning':
      return 'warn';
    case 'critical':
      return 'fatal';
    case 'trace':
    case 'debug':
    case 'info':
    case 'warn':
    case 'error':
    case 'fatal':
      return level;
    case 'silent':
      return undefined;
    default:
      return 'info';
  }
}

/**
 * A pino child with `bindings` that also has the seed InstanceLogger's `critical`, `exception` and `log`.
 * @example const logger = boundLogger(pino(), { service: 'notes' }); logger.exception('failed', error);
 */
export function boundLogger(parent: PinoLike, bindings: LogFields): InstanceLogger {
  const child = Object.keys(bindings).length === 0 ? parent : parent.child({ ...bindings });
  const bound = Object.create(child) as PinoLike;
  const fatal = (message: string, ...args: unknown[]): void => {
    if (typeof child.fatal === 'function') child.fatal.call(bound, message, ...args);
    else child.error.call(bound, message, ...args);
  };
  return Object.assign(bound, {
    fatal,
    critical: fatal,
    exception: (message: string, error?: unknown): void => logWith(bound, 'error', { err: error }, message),
    log: (level: LogMethodLevel, message: string, ...args: unknown[]): void => {
      const method = levelMethod(String(level));
      if (method === 'fatal') fatal(message, ...args);
      else if (method !== undefined) bound[method](message, ...args);
    },
  }) as unknown as InstanceLogger;
}
