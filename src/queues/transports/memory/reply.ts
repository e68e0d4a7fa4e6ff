/**
 * Request/reply on memory://: each reply inbox is a callback registered on the broker under a random
 * address; a reply to an address nobody listens on (its client closed) is refused as unroutable.
 */
import { randomUUID } from 'node:crypto';
import { ERRORS } from '../../../errors.js';
import type { OutgoingMessage, ReplyHandler, ReplyInbox } from '../transport.js';
import type { MemoryBroker } from './broker.js';

const inboxesOf = new WeakMap<MemoryBroker, Map<string, ReplyHandler>>();

function inboxes(broker: MemoryBroker): Map<string, ReplyHandler> {
  let found = inboxesOf.get(broker);
  if (!found) {
    found = new Map();
    inboxesOf.set(broker, found);
  }
  return found;
}

/**
 * The reply inboxes one memory transport opened, closed with it.
 * @example const inbox = replies.open((reply) => console.log(reply.properties.correlationId));
 */
export class MemoryReplies {
  readonly #broker: MemoryBroker;
  readonly #opened = new Set<string>();

  constructor(broker: MemoryBroker) {
    this.#broker = broker;
  }

  open(onReply: ReplyHandler): ReplyInbox {
    const address = `memory.reply.${randomUUID()}`;
    inboxes(this.#broker).set(address, onReply);
    this.#opened.add(address);
    return {
      address,
      close: async () => {
        inboxes(this.#broker).delete(address);
        this.#opened.delete(address);
      },
    };
  }

  /** Hands the reply over on a later turn of the event loop, as a broker would. */
  send(address: string, message: OutgoingMessage): Promise<void> {
    const onReply = inboxes(this.#broker).get(address);
    if (!onReply) return Promise.reject(ERRORS.MS_QUEUE_UNROUTABLE(`no reply inbox "${address.slice(0, 128)}"`));
    const copy = { body: Buffer.from(message.body), properties: message.properties };
    setImmediate(() => onReply(copy));
    return Promise.resolve();
  }

  close(): void {
    for (const address of this.#opened) inboxes(this.#broker).delete(address);
    this.#opened.clear();
  }
}
