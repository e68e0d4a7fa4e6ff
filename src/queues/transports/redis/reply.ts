/**
 * Request/reply on Redis Streams: each client transport reads its own reply stream `<prefix>reply:<uuid>`
 * with a blocking XREAD on a connection of its own (no consumer group: one reader, no acks). A responder
 * appends the reply with `XADD … MAXLEN ~ 1000` and sets the key to expire 60 s after the last reply, so
 * the stream of a client that went away without closing disappears by itself; close() deletes it. Replies
 * written while the reader is reconnecting wait in the stream and are read once it is back.
 */
import { randomUUID } from 'node:crypto';
import { logWith } from '../../../logging/fields.js';
import type { Logger } from '../../../logging.js';
import type { OutgoingMessage, ReplyHandler, ReplyInbox } from '../transport.js';
import { decodeEntry, encodeEntry } from './codec.js';
import type { RedisClient, RedisCommands } from './connection.js';

/** Approximate bound of a reply stream: replies nobody reads are trimmed beyond it. */
export const REPLY_STREAM_MAX_LENGTH = 1000;
/** A reply stream expires this long after its last reply. */
export const REPLY_STREAM_TTL_MS = 60_000;
const BLOCK_MS = 5000;
const RETRY_MS = 500;

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Opens a reply stream and reads it until closed.
 * @example const inbox = openRedisInbox(openReader(), control, 'ms:', onReply, logger);
 */
export function openRedisInbox(
  reader: RedisClient,
  control: RedisCommands,
  prefix: string,
  onReply: ReplyHandler,
  logger: Logger,
): ReplyInbox {
  const address = `${prefix}reply:${randomUUID()}`;
  let open = true;
  reader.on('error', (error: Error) => logWith(logger, 'debug', { err: error }, 'redis reply reader'));
  const loop = (async () => {
    let lastId = '0-0';
    while (open) {
      try {
        const reply = await reader.callBuffer('XREAD', 'COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', address, lastId);
        for (const raw of asArray(asArray(asArray(reply)[0])[1])) {
          const entry = decodeEntry(raw);
          if (!entry) continue;
          lastId = entry.id;
          onReply({ body: entry.body, properties: entry.properties });
        }
      } catch (error) {
        if (!open) break;
        logWith(logger, 'debug', { err: error }, 'redis reply read failed, reading again');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  })();
  return {
    address,
    close: async () => {
      if (!open) return;
      open = false;
      reader.disconnect();
      await loop;
      await control.call('DEL', address).catch(() => undefined);
    },
  };
}

/**
 * Appends a reply to its caller's stream, bounded and expiring, in one round trip.
 * @example await sendRedisReply(publisher, 'ms:reply:…', message);
 */
export async function sendRedisReply(
  publisher: RedisCommands,
  address: string,
  message: OutgoingMessage,
): Promise<void> {
  const fields = encodeEntry({ exchange: '', routingKey: address }, message);
  await Promise.all([
    publisher.callBuffer('XADD', address, 'MAXLEN', '~', REPLY_STREAM_MAX_LENGTH, '*', ...fields),
    publisher.call('PEXPIRE', address, REPLY_STREAM_TTL_MS),
  ]);
}
