/**
 * How long a closing transport waits for its broker. Closing asks the broker for answers: a consumer cancelled,
 * a flush, a close-ok. A half-open connection (the peer gone without a FIN, a partition, a hung broker) answers
 * none of them until heartbeats give up, tens of seconds later, and a clean shutdown must not take that long.
 * So each such step waits `CLOSE_STEP_TIMEOUT_MS` at most; past it the transport goes on closing without the
 * answer and ends by dropping the socket. What the broker then never heard is what it would not have heard
 * from a crashed process: unacknowledged deliveries are delivered again. Publishes are not cut short by this:
 * each keeps its own deadline (`publishTimeoutMs`).
 */
import { withTimeout } from '../../../internal/race.js';
import type { Logger } from '../../../logging.js';

/** The most a closing transport waits for one answer from its broker. */
export const CLOSE_STEP_TIMEOUT_MS = 3000;

const TIMED_OUT = Symbol('timed out');

/**
 * True when `step` settled (either way) within `timeoutMs`; false, after a warning naming `what`, when it did
 * not. Never rejects; the step itself keeps running.
 * @example if (!(await closeStep(consumer.cancel(), 'cancelling the consumers', logger))) dropConnection();
 */
export async function closeStep(
  step: Promise<unknown>,
  what: string,
  logger: Logger,
  timeoutMs = CLOSE_STEP_TIMEOUT_MS,
): Promise<boolean> {
  try {
    await withTimeout(step, timeoutMs, () => TIMED_OUT);
  } catch (error) {
    if (error !== TIMED_OUT) return true;
    logger.warn(`closing: the broker did not answer ${what} within ${timeoutMs} ms; going on without it`);
    return false;
  }
  return true;
}
