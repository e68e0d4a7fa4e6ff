/**
 * Closing an amqplib channel or connection without hanging. `close()` sends `channel.close` (or
 * `connection.close`) and settles on the broker's `close-ok`; if the connection dies in between, amqplib moves
 * the channel or connection to closed (it emits `close`) but never settles that promise. Whatever awaited it (a
 * closing transport, a reconnect re-attaching consumers) waited for ever. Here the close also ends when the
 * target emits `close`, whichever comes first. A half-open connection emits nothing until its heartbeats give
 * up: the connection's close adds a deadline of its own (connection.ts).
 */
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';

/**
 * Closes `target` cleanly when the broker answers, and resolves as soon as it is closed either way; never
 * rejects (a target already closed is closed).
 * @example await closeUntilGone(channel);
 */
export function closeUntilGone(target: Channel | ConfirmChannel | ChannelModel): Promise<void> {
  return new Promise<void>((resolve) => {
    target.once('close', () => resolve());
    target.close().then(
      () => resolve(),
      () => resolve(),
    );
  });
}
