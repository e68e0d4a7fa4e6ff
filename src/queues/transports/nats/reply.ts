/**
 * Request/reply on NATS: replies travel on core NATS, not JetStream. Each client transport subscribes to
 * one inbox subject (`_INBOX.<nuid>`, the same scheme as core `request()`); a responder publishes the reply
 * there with the properties in the usual headers. The client library re-subscribes after a reconnect. A
 * reply sent while its caller is gone reaches nobody, and nothing is stored.
 */
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { OutgoingMessage, ReplyHandler, ReplyInbox } from '../transport.js';
import { decodeNatsHeaders, encodeNatsHeaders } from './codec.js';

/**
 * Subscribes `onReply` to a fresh inbox subject.
 * @example const inbox = openNatsInbox(connection, core.createInbox(), onReply, logger);
 */
export function openNatsInbox(
  connection: NatsConnection,
  subject: string,
  onReply: ReplyHandler,
  logger: Logger,
): ReplyInbox {
  const subscription = connection.subscribe(subject, {
    callback: (error, message) => {
      if (error) {
        logWith(logger, 'warn', { err: error }, `reply inbox ${subject}`);
        return;
      }
      onReply({ body: Buffer.from(message.data), properties: decodeNatsHeaders(message.headers) });
    },
  });
  return {
    address: subject,
    close: async () => {
      if (!subscription.isClosed()) subscription.unsubscribe();
    },
  };
}

/**
 * Publishes a reply on core NATS (at most once: the caller times out when it is lost).
 * @example sendNatsReply(connection, '_INBOX.abc', message, core.headers);
 */
export function sendNatsReply(
  connection: NatsConnection,
  address: string,
  message: OutgoingMessage,
  makeHeaders: () => MsgHdrs,
): void {
  connection.publish(address, message.body, {
    headers: encodeNatsHeaders(message.properties, makeHeaders, Date.now()),
  });
}
