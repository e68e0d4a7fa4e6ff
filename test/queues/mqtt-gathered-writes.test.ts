/**
 * gatherCorkedWrites (issue 16): what MQTT.js writes to a corked socket reaches the socket as one chunk on the
 * uncork, with the same bytes in the same order; writes on an uncorked socket, with a callback, or before an
 * end() are not held back.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { gatherCorkedWrites } from '../../src/queues/transports/mqtt/gathered-writes.js';

/** A socket stand-in that records each chunk the way the socket's writev or write would receive it. */
function recordingSocket(): { socket: Writable; received: string[][] } {
  const received: string[][] = [];
  const socket = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      received.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      received.push(chunks.map(({ chunk }) => String(chunk)));
      callback();
    },
  });
  return { socket, received };
}

describe('gatherCorkedWrites', () => {
  it('hands what was written while corked to the socket as one chunk when the last cork is lifted', () => {
    const { socket, received } = recordingSocket();
    const stream = gatherCorkedWrites(socket as never);
    stream.cork();
    stream.cork();
    stream.write(Buffer.from([0x30]));
    stream.write('topé', 'utf8');
    stream.write(Buffer.from('!'));
    stream.uncork();
    expect(received).toEqual([]);
    stream.uncork();
    expect(received).toEqual([['0topé!']]);
  });

  it('keeps the order of gathered writes, uncorked writes, writes with a callback and end()', async () => {
    const { socket, received } = recordingSocket();
    const stream = gatherCorkedWrites(socket as never);
    stream.write('a');
    stream.cork();
    stream.write('b');
    stream.write('c');
    let called = false;
    stream.write('d', () => {
      called = true;
    });
    stream.write('e');
    stream.uncork();
    stream.cork();
    stream.write('f');
    await new Promise<void>((resolve) => stream.end('g', resolve));
    expect(received.flat().join('')).toBe('abcdefg');
    expect(received[1]).toEqual(['bc', 'd', 'e']);
    expect(called).toBe(true);
  });
});
