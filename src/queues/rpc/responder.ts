/**
 * The service side of request/reply. A delivery whose properties carry `replyTo` is a request: the handler's
 * return value is encoded as a publish would be (JSON, text or bytes) and sent to `replyTo` with the request's
 * `correlationId`; a handler that fails (throws, times out, gets an invalid payload) answers an error reply
 * instead. Either way the request is then acked, never retried or dead-lettered: its caller waits for one
 * answer, and a retry would run the handler again after the caller has given up.
 */
import { randomUUID } from 'node:crypto';
import type { AnySchema } from '../../contracts/infer.js';
import { logWith } from '../../logging/fields.js';
import type { Logger } from '../../logging.js';
import { encodePayload } from '../codec.js';
import type { Delivery, MessageProperties, Transport } from '../transports/transport.js';
import { ERROR_REPLY_HEADER, errorReplyBody } from './remote-error.js';
import { checkReply, replyValue } from './reply-contract.js';

export interface ResponderSettings {
  /** The service's transport (connected). */
  readonly transport: () => Promise<Transport>;
  /** Send the handler's stack with an error reply. Default false. */
  readonly exposeErrors: boolean;
  readonly logger: Logger;
  /** The queue's reply schema (`app.queue(name, { reply }, handler)`): a reply that fails it is not sent. */
  readonly reply?: { readonly schema: AnySchema; readonly queue: string } | undefined;
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
      const checked = await this.#checked(outcome);
      const transport = await this.#settings.transport();
      if (!transport.reply) return;
      await transport.reply(address, this.#message(delivery.properties, checked));
    } catch (error) {
      logWith(
        this.#settings.logger,
        'warn',
        { err: error, replyTo: address },
        'the reply could not be sent; its caller will time out',
      );
    }
  }

  /** The outcome to send: the handler's value when it passes the reply schema, else the error saying why. */
  async #checked(outcome: { value: unknown } | { error: unknown }): Promise<{ value: unknown } | { error: unknown }> {
    const reply = this.#settings.reply;
    if (!reply || !('value' in outcome)) return outcome;
    const result = await checkReply(reply.schema, replyValue(outcome.value), reply.queue, 'service');
    if (result.ok) return outcome;
    logWith(
      this.#settings.logger,
      'error',
      { err: result.error },
      'the handler returned a reply that fails its reply schema; the caller gets an error reply instead',
    );
    return { error: result.error };
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
        encoded = encodePayload(replyValue(outcome.value));
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
