/** How nats.js reports failures: the NATS classifier for the core's mapping to catalogue codes (core/failures.ts). */
import type { BrokerFailure } from '../core/failures.js';

/**
 * The kind of a nats.js error: the server's `-ERR 'Authorization Violation'` (and expired or revoked
 * credentials) is a refused login; "no responders" on a JetStream subject, which the client reports as
 * "jetstream is not enabled", means no stream takes it; a request timeout is a publish timeout.
 * @example natsFailure(new Error('503 no responders')); // 'unroutable'
 */
export function natsFailure(error: unknown): BrokerFailure | undefined {
  const text = `${(error as { name?: unknown } | null)?.name ?? ''} ${(error as Error | null)?.message ?? error}`;
  if (/authoriz|authenticat|user authentication|permissions? violation/i.test(text)) return 'refused-login';
  if (/no responders|503|not enabled/i.test(text)) return 'unroutable';
  if (/timeout/i.test(text)) return 'timeout';
  return undefined;
}
