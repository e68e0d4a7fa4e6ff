/**
 * Dead-letters messages that ran out of deliveries without anyone settling them (a handler that crashes
 * or hangs past AckWait every time). JetStream stops redelivering at MaxDeliver but keeps the message
 * in the stream and says so only in an advisory; this listener moves it to the queue's dead-letter queue
 * (or drops it when there is none) so that it is neither lost silently nor kept forever. A message
 * reached through an exchange binding is copied but not deleted: the exchange stream is shared by every
 * queue bound to it.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Logger } from '../../../logging.js';
import type { NatsSource } from './topology.js';

interface MaxDeliveriesAdvisory {
  readonly stream?: string;
  readonly consumer?: string;
  readonly stream_seq?: number;
  readonly deliveries?: number;
}

export interface MaxDeliverListenerOptions {
  readonly connection: NatsConnection;
  readonly manager: () => JetStreamManager;
  readonly logger: Logger;
  /**
   * Publishes a copy of the stored message, with `extraHeaders`, to the dead-letter queue (deduplicated by
   * its message id, or `fallbackId`); false when the queue has none.
   */
  readonly deadLetter: (
    body: Buffer,
    stored: MsgHdrs | undefined,
    extraHeaders: Record<string, unknown>,
    fallbackId: string,
  ) => Promise<boolean>;
}

/**
 * Listens for MaxDeliver advisories of `sources`; returns the subscriptions to unsubscribe on cancel.
 * @example const subscriptions = listenForMaxDeliveries(sources, options);
 */
export function listenForMaxDeliveries(
  sources: readonly NatsSource[],
  options: MaxDeliverListenerOptions,
): Subscription[] {
  return sources.map((source) =>
    options.connection.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${source.stream}.${source.consumer}`, {
      callback: (error, message) => {
        if (error) return;
        let advisory: MaxDeliveriesAdvisory;
        try {
          advisory = message.json<MaxDeliveriesAdvisory>();
        } catch {
          return;
        }
        void moveToDeadLetter(source, advisory, options).catch((failure) =>
          options.logger.warn(`dead-lettering ${source.stream} #${advisory.stream_seq} failed: ${failure}`),
        );
      },
    }),
  );
}

async function moveToDeadLetter(
  source: NatsSource,
  advisory: MaxDeliveriesAdvisory,
  options: MaxDeliverListenerOptions,
): Promise<void> {
  const sequence = advisory.stream_seq;
  if (sequence === undefined) return;
  const manager = options.manager();
  const stored = await manager.streams.getMessage(source.stream, { seq: sequence });
  if (!stored) return;
  const headers: Record<string, unknown> = {
    'x-death-reason': 'max-deliver',
    'x-delivery-count': advisory.deliveries ?? 0,
    'x-death-stream': source.stream,
    'x-death-sequence': sequence,
  };
  const copied = await options.deadLetter(
    Buffer.from(stored.data),
    stored.header,
    headers,
    `dlq-${source.stream}-${sequence}`,
  );
  options.logger.warn(
    `${source.stream} #${sequence} reached MaxDeliver unsettled; ${copied ? 'dead-lettered' : 'no dead-letter queue, dropped'}`,
  );
  if (source.exchange !== '') return;
  await manager.streams.deleteMessage(source.stream, sequence).catch(() => false);
}
