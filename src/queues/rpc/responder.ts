/**
 * The service side of request/reply. A delivery whose properties carry `replyTo` is a request: the handler's
 * return value is encoded as a publish would be (JSON, text or bytes) and sent to `replyTo` with the request's
 * `correlationId`; a handler that fails (throws, times out, gets an invalid payload) answers an error reply
 * instead. Either way the request is then acked, never retried or dead-lettered: its caller waits for one
 * answer, and a retry would run the handler again after the caller has given up.
 */
import { randomUUID } from 'node:crypto';
import { logWith } from '../../logging/fields.js';
import type { Logger } from '../../logging.js';
import { encodePayload } from '../codec.js';
import type { Delivery, MessageProperties, Transport } from '../transports/transport.js';
import { ERROR_REPLY_HEADER, errorReplyBody } from './remote-error.js';

export interface ResponderSettings {
  /** The service's transport (connected). */
  readonly transport: () => Promise<Transport>;
  /** Send the handler's stack with an error reply. Default false. */
  readonly exposeErrors: boolean;
  readonly logger: Logger;
}

/** True when the delivery asks for a reply. */
export function isRequest(delivery: Delivery): boolean {
  return typeof delivery.properties.replyTo === 'string' && delivery.properties.replyTo.length > 0;
}

/**
 * Answers requests for one service.
 * @example await responder.answer(delivery, { value: 3 });
 */
export class Responder {
  readonly #settings: ResponderSettings;

  constructor(settings: ResponderSettings) {
    this.#settings = settings;
  }

  /** Sends the reply; never rejects (a reply that cannot be sent is logged: its caller times out). */
  async answer(delivery: Delivery, outcome: { value: unknown } | { error: unknown }): Promise<void> {
    const address = delivery.properties.replyTo as string;
    try {
      const transport = await this.#settings.transport();
      if (!transport.reply) return;
      await transport.reply(address, this.#message(delivery.properties, outcome));
    } catch (error) {
      logWith(
        this.#settings.logger,
        'warn',
        { err: error, replyTo: address },
        'the reply could not be sent; its caller will time out',
      );
    }
  }

  #message(
    request: MessageProperties,
    outcome: { value: unknown } | { error: unknown },
  ): { body: Buffer; properties: MessageProperties } {
    let failed = 'error' in outcome;
    let encoded: ReturnType<typeof encodePayload>;
    if ('value' in outcome) {
      try {
        // A handler that returns nothing answers null: every caller gets a reply it can decode.
        encoded = encodePayload(outcome.value === undefined ? null : outcome.value);
      } catch (error) {
        failed = true;
        encoded = encodePayload(errorReplyBody(error, this.#settings.exposeErrors));
      }
    } else {
      encoded = encodePayload(errorReplyBody(outcome.error, this.#settings.exposeErrors));
    }
    return {
      body: encoded.body,
      properties: {
        messageId: randomUUID(),
        ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
        contentType: encoded.contentType,
        contentEncoding: encoded.contentEncoding,
        persistent: false,
        ...(failed ? { headers: { [ERROR_REPLY_HEADER]: true } } : {}),
      },
    };
  }
}
