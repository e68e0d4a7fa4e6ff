/**
 * The HTTP service's duration options under their `Ms` names, with the unsuffixed names they replace kept as
 * deprecated aliases (issue 11). A setup mistake in the service's options is a `TypeError` at construction, as
 * the service's other option checks are (docs/errors.md).
 */
import { renamedOption } from '../internal/renamed-option.js';

/** Each `Ms` option and the deprecated name it replaces (same unit: milliseconds). */
const ALIASES = {
  requestTimeoutMs: 'requestTimeout',
  headersTimeoutMs: 'headersTimeout',
  keepAliveTimeoutMs: 'keepAliveTimeout',
  drainTimeoutMs: 'drainTimeout',
  connectionTimeoutMs: 'connectionTimeout',
} as const;

/**
 * The value of a duration option, read from its `Ms` name or its deprecated alias.
 * @example durationOption({ drainTimeout: 500 }, 'drainTimeoutMs'); // 500
 */
export function durationOption(options: object, name: keyof typeof ALIASES): number | undefined {
  return renamedOption(options, name, ALIASES[name], (message) => new TypeError(`HTTP service options: ${message}`));
}
