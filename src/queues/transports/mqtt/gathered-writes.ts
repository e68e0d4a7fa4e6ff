/**
 * Gathers what MQTT.js writes to its socket while the socket is corked into one Buffer. MQTT.js (through
 * mqtt-packet) corks the socket for every packet and writes the packet as many small chunks: header, length,
 * topic length, topic, packet id and, for MQTT 5, every property as a type byte, a length and a string apiece;
 * a publish carrying the transport's properties is about fifteen chunks. Each chunk is a `Writable.write` of
 * its own and an iovec of its own in the `writev` that follows the uncork; gathered, the socket receives one
 * write per uncork. The bytes, their order and the moments they reach the socket are unchanged: chunks written
 * while the socket is uncorked (or with a callback) go straight through, after whatever was gathered before.
 */
import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';

type Write = Duplex['write'];

/** Joins strings (UTF-8) and Buffers into one Buffer. */
function joined(parts: ReadonlyArray<Buffer | string>): Buffer {
  let length = 0;
  for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const part of parts) offset += typeof part === 'string' ? out.write(part, offset) : part.copy(out, offset);
  return out;
}

/**
 * Makes `stream` gather the chunks written while it is corked; returns the same stream.
 * @example gatherCorkedWrites(net.createConnection(1883)).write('...');
 */
export function gatherCorkedWrites(stream: Duplex): Duplex {
  if (typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return stream;
  const write: Write = stream.write.bind(stream);
  const uncork = stream.uncork.bind(stream);
  const end = stream.end.bind(stream) as (...args: unknown[]) => Duplex;
  let parts: Array<Buffer | string> = [];
  const flush = (): void => {
    if (parts.length === 0) return;
    const chunk = parts.length === 1 ? (parts[0] as Buffer | string) : joined(parts);
    parts = [];
    write(chunk);
  };
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const plain = encoding === undefined || encoding === 'utf8' || encoding === 'utf-8';
    if (
      stream.writableCorked > 0 &&
      callback === undefined &&
      plain &&
      (typeof chunk === 'string' || Buffer.isBuffer(chunk))
    ) {
      parts.push(chunk);
      return !stream.writableNeedDrain;
    }
    flush();
    return (write as (...args: unknown[]) => boolean)(chunk, encoding, callback);
  }) as Write;
  stream.uncork = (): void => {
    // Handed to the socket while it is still corked, so the uncork writes it with anything buffered before.
    if (stream.writableCorked === 1) flush();
    uncork();
  };
  stream.end = ((...args: unknown[]): Duplex => {
    flush();
    return end(...args);
  }) as Duplex['end'];
  return stream;
}

/**
 * Gathers the corked writes of an MQTT.js client's socket, and of every socket it opens on a reconnect.
 * @example gatherClientWrites(mqtt.connect(url, options));
 */
export function gatherClientWrites(client: MqttClient): MqttClient {
  const internals = client as unknown as { streamBuilder: (client: MqttClient) => Duplex; stream: Duplex };
  const build = internals.streamBuilder;
  internals.streamBuilder = (owner) => gatherCorkedWrites(build(owner));
  gatherCorkedWrites(internals.stream);
  return client;
}
