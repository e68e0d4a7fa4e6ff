/** How a JetStream publish or connect fails: its errors mapped to stable toolkit codes. */
import { ERRORS, type MicroservicesError } from '../../../errors.js';

/**
 * Turns a client error from a JetStream publish into a toolkit error with a stable code.
 * @example throw publishError(error, 'msq.basic', 10_000); // code MS_QUEUE_UNROUTABLE when no stream takes it
 */
export function publishError(error: unknown, subject: string, timeoutMs: number): MicroservicesError {
  const text = String((error as Error)?.message ?? error);
  // The client reports "no responders" on a JetStream subject as "jetstream is not enabled".
  if (/no responders|503|not enabled/i.test(text)) {
    return ERRORS.MS_QUEUE_UNROUTABLE(`No stream takes subject "${subject}"; declare it first`, {
      cause: error,
    });
  }
  if (/timeout/i.test(text)) {
    return ERRORS.MS_QUEUE_PUBLISH_TIMEOUT(
      `No PubAck for "${subject}" within ${timeoutMs} ms; the message may have been delivered`,
      {
        cause: error,
      },
    );
  }
  return ERRORS.MS_QUEUE_PUBLISH_FAILED(`Publish to "${subject}" failed: ${text}`, {
    cause: error,
  });
}

/** The server's `-ERR 'Authorization Violation'` (and expired or revoked credentials), as nats.js reports them. */
export function isAuthRefusal(error: unknown): boolean {
  const text = `${(error as { name?: unknown } | null)?.name ?? ''} ${(error as Error | null)?.message ?? error}`;
  return /authoriz|authenticat|user authentication|permissions? violation/i.test(text);
}
