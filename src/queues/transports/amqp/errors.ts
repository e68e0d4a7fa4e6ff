/**
 * The publisher's errors: stable codes, which broker refusals are final, and the checks that refuse a publish
 * before it is accepted (target names, sizes), each naming the limit it exceeds.
 */
import { CODES, MicroservicesError } from '../../../errors.js';
import { failureCode } from '../core/failures.js';
import type { OutgoingMessage, PublishTarget } from '../transport.js';

/**
 * Errors thrown by the publisher carry these stable codes.
 * @example if ((error as MicroservicesError).code === PUBLISH_ERROR_CODES.unroutable) bindTheQueue();
 */
export const PUBLISH_ERROR_CODES = {
  // The broker's failures take their codes from the core's one mapping (core/failures.ts).
  timeout: failureCode('timeout'),
  nacked: CODES.MS_QUEUE_PUBLISH_NACKED,
  unroutable: failureCode('unroutable'),
  noExchange: failureCode('unknown-exchange'),
  bufferFull: CODES.MS_QUEUE_PUBLISH_BUFFER_FULL,
  closed: CODES.MS_QUEUE_CLOSED,
  aborted: CODES.MS_QUEUE_PUBLISH_ABORTED,
  unencodable: CODES.MS_QUEUE_UNENCODABLE,
  tooLarge: CODES.MS_QUEUE_MESSAGE_TOO_LARGE,
  refused: failureCode('refused'),
} as const;

/**
 * Channel-close reply codes that refuse the message being published, for good: sending it again gets the
 * same answer. 403 ACCESS_REFUSED (no write permission), 406 PRECONDITION_FAILED (over `max_message_size`, a
 * bad `expiration`, a forged `user_id`), 405 RESOURCE_LOCKED (an exclusive queue of another connection).
 * @example FINAL_REFUSALS.has(406); // true
 */
export const FINAL_REFUSALS = new Set([403, 405, 406]);

const MiB = 1024 * 1024;

function describeBytes(bytes: number): string {
  return bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MiB` : `${bytes} bytes`;
}

/** At most 255 UTF-8 bytes; a string of up to 85 UTF-16 units always is (3 bytes per unit at most). */
function isShortString(value: unknown): boolean {
  return typeof value === 'string' && (value.length <= 85 || Buffer.byteLength(value) <= 255);
}

/**
 * The exchange and routing key are AMQP short strings (checked on every publish, so kept cheap).
 * @example checkTarget({ exchange: '', routingKey: 'q'.repeat(256) }); // throws MS_QUEUE_UNENCODABLE
 */
export function checkTarget(target: PublishTarget): void {
  if (isShortString(target.exchange) && isShortString(target.routingKey)) return;
  const [what, value] = isShortString(target.exchange)
    ? (['routing key', target.routingKey] as const)
    : (['exchange', target.exchange] as const);
  throw new MicroservicesError(
    PUBLISH_ERROR_CODES.unencodable,
    `The ${what} must be a string of at most 255 bytes; got ${typeof value === 'string' ? `${Buffer.byteLength(value)} bytes` : typeof value}`,
  );
}

/**
 * The final error for a message the broker refused by closing the channel, naming RabbitMQ's limit when it says one.
 * @example refusalError(channelError, entry).code; // CODES.MS_QUEUE_MESSAGE_TOO_LARGE for "message size … is larger than configured max size …"
 */
export function refusalError(channelError: Error, entry: { readonly message: OutgoingMessage }): MicroservicesError {
  const size = /message size (\d+) is larger than configured max size (\d+)/.exec(channelError.message);
  if (size) {
    return new MicroservicesError(
      PUBLISH_ERROR_CODES.tooLarge,
      `The message of ${describeBytes(entry.message.body.length)} exceeds the broker's max_message_size of ${describeBytes(Number(size[2]))} (406); it was not sent again`,
      { cause: channelError },
    );
  }
  return new MicroservicesError(
    PUBLISH_ERROR_CODES.refused,
    `The broker refused the message for good: ${channelError.message}; it was not sent again`,
    { cause: channelError },
  );
}

/**
 * The exchange named in a `NOT_FOUND - no exchange 'x' in vhost '/'` channel error, if that is what it is.
 * @example missingExchange(Object.assign(new Error("NOT_FOUND - no exchange 'orders' in vhost '/'"), { code: 404 })); // 'orders'
 */
export function missingExchange(error: Error | undefined): string | undefined {
  if ((error as { code?: unknown } | undefined)?.code !== 404) return undefined;
  return /no exchange '([^']*)'/.exec(error?.message ?? '')?.[1];
}

/**
 * Why a body of `size` bytes can never be published with these limits, if it cannot.
 * @example sizeRefusal(200 << 20, { maxMessageBytes: 128 << 20, maxBufferedBytes: 64 << 20 })?.code; // CODES.MS_QUEUE_MESSAGE_TOO_LARGE
 */
export function sizeRefusal(
  size: number,
  { maxMessageBytes, maxBufferedBytes }: { maxMessageBytes: number; maxBufferedBytes: number },
): MicroservicesError | undefined {
  if (size > maxMessageBytes) {
    return new MicroservicesError(
      PUBLISH_ERROR_CODES.tooLarge,
      `The message of ${describeBytes(size)} exceeds the broker's max_message_size of ${describeBytes(maxMessageBytes)} (maxMessageBytes); it cannot be sent`,
    );
  }
  if (size > maxBufferedBytes) {
    return new MicroservicesError(
      PUBLISH_ERROR_CODES.tooLarge,
      `The message of ${describeBytes(size)} exceeds maxBufferedBytes (${describeBytes(maxBufferedBytes)}), the most the publisher holds at once; raise maxBufferedBytes to send it`,
    );
  }
  return undefined;
}
