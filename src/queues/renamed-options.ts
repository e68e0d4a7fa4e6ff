/**
 * The queue options renamed to say their unit (issue 11): the seed's `reconnectTimeout` (seconds) and the
 * unsuffixed `drainTimeout` and `heartbeatSeconds` keep working as deprecated aliases of
 * `reconnect.initialDelayMs`, `drainTimeoutMs` and `heartbeatMs`; both names with different values is
 * MS_QUEUE_BAD_OPTION.
 */
import { ERRORS } from '../errors.js';
import { renamedOption } from '../internal/renamed-option.js';

function refuse(where: string): (message: string) => Error {
  return (message) => ERRORS.MS_QUEUE_BAD_OPTION(`${where}: ${message}`);
}

/**
 * The service's drain timeout in ms, from `drainTimeoutMs` or the deprecated `drainTimeout`.
 * @example drainTimeoutMs({ drainTimeout: 500 }); // 500
 */
export function drainTimeoutMs(options: object): number | undefined {
  return renamedOption(options, 'drainTimeoutMs', 'drainTimeout', refuse('queue service options'));
}

/**
 * The first reconnect delay in ms, from `reconnect.initialDelayMs` or the seed's `reconnectTimeout` in seconds.
 * @example reconnectDelayMs({ reconnectTimeout: 2 }); // 2000
 */
export function reconnectDelayMs(options: {
  readonly reconnect?: { readonly initialDelayMs?: number };
  readonly reconnectTimeout?: number;
}): number | undefined {
  const merged = { initialDelayMs: options.reconnect?.initialDelayMs, reconnectTimeout: options.reconnectTimeout };
  return renamedOption(
    merged,
    'initialDelayMs',
    'reconnectTimeout',
    (message) => refuse('queue service options')(message.replace('"initialDelayMs"', '"reconnect.initialDelayMs"')),
    (seconds: number) => seconds * 1000,
  );
}

/**
 * Transport options with `heartbeatMs` turned into the transports' `heartbeatSeconds` (brokers negotiate
 * heartbeats in whole seconds, so a part second rounds up).
 * @example heartbeatOptions({ heartbeatMs: 5_000 }); // { heartbeatSeconds: 5 }
 */
export function heartbeatOptions<T extends { readonly heartbeatMs?: number; readonly heartbeatSeconds?: number }>(
  options: T,
): Omit<T, 'heartbeatMs'> {
  const { heartbeatMs, ...rest } = options;
  if (heartbeatMs === undefined) return rest;
  const where = 'connection options';
  if (typeof heartbeatMs !== 'number' || !Number.isFinite(heartbeatMs) || heartbeatMs < 0) {
    throw refuse(where)(`"heartbeatMs" must be a number >= 0, not ${String(heartbeatMs)}`);
  }
  const seconds = Math.ceil(heartbeatMs / 1000);
  if (rest.heartbeatSeconds !== undefined && rest.heartbeatSeconds !== seconds) {
    throw refuse(where)(
      '"heartbeatMs" and its deprecated alias "heartbeatSeconds" are both given, with different values; give only "heartbeatMs"',
    );
  }
  return { ...rest, heartbeatSeconds: seconds };
}
