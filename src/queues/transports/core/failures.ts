/**
 * The one place where a broker's failures become catalogue codes. Each broker supplies a classifier that
 * names the kind of a client error it recognises (a refused login, "no responders", a CONNACK code...);
 * the kind decides the code here, so the same failure has the same code on every transport.
 */
import { CODES, type ErrorCode, MicroservicesError } from '../../../errors.js';

/** The kinds of broker failure a transport reports, each with one catalogue code. */
export type BrokerFailure =
  | 'refused-login'
  | 'refused-config'
  | 'unreachable'
  | 'unroutable'
  | 'unknown-exchange'
  | 'timeout'
  | 'refused';

const CODE_OF: Readonly<Record<BrokerFailure, ErrorCode>> = {
  // Final: retrying with the same credentials or settings gets the same answer.
  'refused-login': CODES.MS_QUEUE_ACCESS_REFUSED,
  'refused-config': CODES.MS_QUEUE_CONFIG_REFUSED,
  unreachable: CODES.MS_QUEUE_CONNECT_FAILED,
  unroutable: CODES.MS_QUEUE_UNROUTABLE,
  'unknown-exchange': CODES.MS_QUEUE_UNKNOWN_EXCHANGE,
  timeout: CODES.MS_QUEUE_PUBLISH_TIMEOUT,
  refused: CODES.MS_QUEUE_PUBLISH_FAILED,
};

/**
 * The catalogue code of a kind of failure, for a broker that builds its errors itself.
 * @example failureCode('unroutable') === CODES.MS_QUEUE_UNROUTABLE; // true
 */
export function failureCode(failure: BrokerFailure): ErrorCode {
  return CODE_OF[failure];
}

/** A broker's classifier: the kind of a client error, or undefined when the broker does not recognise it. */
export type FailureClassifier = (error: unknown) => BrokerFailure | undefined;

/**
 * The catalogue error for a failure of a known kind.
 * @example throw failureError('unroutable', 'no queue takes topic "ms/q/jobs"'); // code MS_QUEUE_UNROUTABLE
 */
export function failureError(failure: BrokerFailure, message: string, cause?: unknown): MicroservicesError {
  return new MicroservicesError(CODE_OF[failure], message, cause === undefined ? {} : { cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A connect that failed: a refused login or configuration as the classifier says (final), else
 * `MS_QUEUE_CONNECT_FAILED`. A catalogue error passes through unchanged.
 * @example throw connectFailure('nats://127.0.0.1:4222', error, natsFailure);
 */
export function connectFailure(name: string, error: unknown, classify: FailureClassifier): MicroservicesError {
  if (error instanceof MicroservicesError) return error;
  const failure = classify(error);
  if (failure === 'refused-login') return failureError(failure, `${name} refused the login: ${describe(error)}`, error);
  if (failure === 'refused-config') return failureError(failure, `${name} refused: ${describe(error)}`, error);
  return failureError('unreachable', `Cannot connect to ${name}: ${describe(error)}`, error);
}

/**
 * A publish that failed: unroutable, unknown exchange, timed out (maybe delivered) or refused, as the
 * classifier says; what it does not recognise is `MS_QUEUE_PUBLISH_FAILED`. A catalogue error passes through.
 * @example throw publishFailure(error, natsFailure, { to: 'msq.jobs', timeoutMs: 10_000 });
 */
export function publishFailure(
  error: unknown,
  classify: FailureClassifier,
  { to, timeoutMs }: { readonly to: string; readonly timeoutMs: number },
): MicroservicesError {
  if (error instanceof MicroservicesError) return error;
  switch (classify(error)) {
    case 'unroutable':
      return failureError('unroutable', `Nothing takes "${to}"; declare its queue first`, error);
    case 'unknown-exchange':
      return failureError('unknown-exchange', `No exchange for "${to}"`, error);
    case 'timeout':
      return failureError(
        'timeout',
        `No confirm for "${to}" within ${timeoutMs} ms; the message may have been delivered`,
        error,
      );
    default:
      return failureError('refused', `Publish to "${to}" failed: ${describe(error)}`, error);
  }
}
