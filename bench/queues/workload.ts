/**
 * What every queue implementation in the benchmark does, raw client or toolkit alike: publish persistent
 * 1 KiB JSON messages, each awaited until the broker confirms it (at most `window` in flight), and consume
 * them with a prefetch of 100, decoding the JSON and acking each message.
 */

/** Target size of one encoded message body. */
export const MESSAGE_BYTES = 1024;

/** The smallest message: the same shape with an empty filler (about 40 bytes of JSON). */
export const SMALL_MESSAGE_BYTES = Buffer.byteLength(JSON.stringify({ id: 0, sentAt: 1e12, body: '' }));

// Built once per size: the generator must cost next to nothing, since its time counts against every row.
const fillers = new Map<number, string>();

function fillerFor(bytes: number): string {
  let filler = fillers.get(bytes);
  if (filler === undefined) {
    filler = 'x'.repeat(Math.max(0, bytes - SMALL_MESSAGE_BYTES));
    fillers.set(bytes, filler);
  }
  return filler;
}

/**
 * A JSON-serialisable message whose encoding is `bytes` long (a few bytes more for ids past 9).
 * @example Buffer.byteLength(JSON.stringify(benchMessage(1))) // 1024
 */
export function benchMessage(id: number, bytes = MESSAGE_BYTES): { id: number; sentAt: number; body: string } {
  return { id, sentAt: Date.now(), body: fillerFor(bytes) };
}

/**
 * One implementation under test, raw client or toolkit, for one broker.
 * `consume` must deliver every message to `onMessage` after decoding it and acking it (or on ack).
 */
export interface QueueBenchImplementation {
  /** Connects, declares the queue durable and empties it. */
  setup(queue: string, prefetch: number): Promise<void>;
  /** Publishes one message; resolves on the broker's confirmation. */
  publish(message: object): Promise<void>;
  /** Starts consuming; `onMessage` runs once per decoded, acked message. */
  consume(onMessage: (message: unknown) => void): Promise<void>;
  /** Stops consuming, deletes the queue and disconnects. */
  close(): Promise<void>;
}

/**
 * How a broker's rows are measured. `backlog`: publish everything, then consume the backlog (publish and
 * consume rates separately). `live`: the consumer runs while publishing (end-to-end rate); used where a
 * backlog is not representative: the in-process memory broker, and MQTT, whose broker caps what it queues
 * for an offline session (Mosquitto's max_queued_messages).
 */
export type QueueMode = 'backlog' | 'live';
