/**
 * The client's duration options under their `Ms` names, with the unsuffixed names they replace kept as
 * deprecated aliases (issue 11); both with different values is an `InvalidOptionError` (MS_CLIENT_INVALID_OPTION).
 */
import { renamedOption } from '../internal/renamed-option.js';
import { InvalidOptionError } from './errors.js';
import type { Timeouts } from './options.js';

/** Each `Ms` option and the deprecated name it replaces (same unit: milliseconds). */
const ALIASES = {
  timeoutMs: 'timeout',
  connectTimeoutMs: 'connectTimeout',
  keepAliveTimeoutMs: 'keepAliveTimeout',
  baseDelayMs: 'baseDelay',
  maxDelayMs: 'maxDelay',
  maxRetryAfterMs: 'maxRetryAfter',
} as const;

type Renamed = keyof typeof ALIASES;

/**
 * The value of a duration option (client, call or `retry` options), from its `Ms` name or its deprecated alias.
 * @example durationOption({ timeout: 5_000 }, 'timeoutMs'); // 5000
 */
export function durationOption<N extends Renamed>(
  options: object | undefined,
  name: N,
): (N extends 'timeoutMs' ? number | Timeouts : number) | undefined {
  return renamedOption(options, name, ALIASES[name], (message) => new InvalidOptionError(message));
}

/**
 * The name the caller used for a duration option, for error messages: the deprecated alias when only it was
 * given, else the `Ms` name.
 * @example givenName({ connectTimeout: 0 }, 'connectTimeoutMs'); // 'connectTimeout'
 */
export function givenName(options: object | undefined, name: Renamed): string {
  const values = (options ?? {}) as Record<string, unknown>;
  return values[name] === undefined && values[ALIASES[name]] !== undefined ? ALIASES[name] : name;
}
