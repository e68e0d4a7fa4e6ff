import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installAmqpWirePatch } from '../../src/queues/transports/amqp/wire.js';

const require = createRequire(import.meta.url);
const { Mux } = require(join(dirname(require.resolve('amqplib')), 'lib', 'mux.js')) as {
  Mux: new (out: Writable) => { pipeFrom(readable: PassThrough): void };
};

/** A socket stand-in that records how its writes reach it: one system call per `_writev`/`_write`. */
function recordingSocket(): { socket: Writable; calls: number[] } {
  const calls: number[] = [];
  const socket = new Writable({
    write(_chunk, _encoding, done) {
      calls.push(1);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.length);
      done();
    },
  });
  return { socket, calls };
}

describe("amqplib's frame writes (wire.ts, change 3)", () => {
  it('writes the frames of one multiplexer round to the socket in one writev', async () => {
    expect(installAmqpWirePatch()).toBe(true);
    const { socket, calls } = recordingSocket();
    const mux = new Mux(socket);
    const channel = new PassThrough({ objectMode: true });
    mux.pipeFrom(channel);
    for (let frame = 0; frame < 5; frame++) channel.write(Buffer.from([frame]));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([5]);
  });
});
