/** Shared pieces of the AMQP fault tests: transports on the dedicated node and JSON ledger bodies (the ledger consumer is in ledger.ts). */
import { AmqpTransport, type AmqpTransportOptions } from '../../../src/queues/transports/amqp/index.js';
import type { OutgoingMessage, Transport } from '../../../src/queues/transports/transport.js';
import { chaosUrl } from './rabbitmq-node.js';

/** Fast reconnects, so a test does not wait out production backoff. */
export const FAST_RECONNECT = { initialDelayMs: 200, maxDelayMs: 2000 } as const;

/** Opens transports and remembers them so `closeAll()` can clean up. */
export class TransportPool {
  private readonly open: Transport[] = [];

  async connect(options: AmqpTransportOptions = {}, url = chaosUrl()): Promise<AmqpTransport> {
    const transport = new AmqpTransport(new URL(url), { reconnect: FAST_RECONNECT, ...options });
    this.open.push(transport);
    await transport.connect();
    return transport;
  }

  async closeAll(): Promise<void> {
    for (const transport of this.open.splice(0)) await transport.close().catch(() => undefined);
  }
}

/** A JSON message whose `messageId` is the ledger id. */
export function ledgerMessage(id: string, extra: Record<string, unknown> = {}): OutgoingMessage {
  return {
    body: Buffer.from(JSON.stringify({ id, ...extra })),
    properties: { contentType: 'application/json', messageId: id },
  };
}

/** Resolves on the transport's next `connected` event. */
export function nextConnected(transport: Transport, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reconnect within ${timeoutMs} ms`)), timeoutMs);
    transport.on('connected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A queue name unique to this run. */
export function faultQueue(what: string): string {
  return `fault.${what}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
}
