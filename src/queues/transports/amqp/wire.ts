/**
 * Three small changes to amqplib (frame reading on its `Connection` class, frame writing on its `Mux`),
 * installed once when this module loads (every amqplib connection in the process gets them, whoever opened it):
 *
 * 1. Content-header frames (message properties) are decoded by `amqp-field-decode.ts`, which reads every
 *    field type RabbitMQ and py-amqp write and marks, instead of throwing on, a header table it cannot read.
 *    amqplib throws from its socket reader, which closes the connection, and the broker then redelivers the
 *    same message to the next connection: a crash loop that one foreign header keeps going for ever.
 * 2. A `connection.close` the broker sends during the handshake (530 "vhost not found", for one) is kept, so
 *    the connect error can name its reply code and text; amqplib reports only `Expected ConnectionOpenOk;
 *    got <ConnectionClose channel:0>`.
 * 3. The frames amqplib's multiplexer writes in one round (every ack, nack and publish of one event-loop
 *    turn, over all channels) go to the socket corked, so they leave in one `writev` instead of one write
 *    system call each; with acks settled one by one that was a third of a consumer's CPU.
 *
 * amqplib binds its decoders to module-local names at load time, so replacing a module export would not
 * reach them; the `Connection.prototype` and `Mux.prototype` methods are shared by every instance and loaded
 * once. The patch checks the shapes it relies on and stays out (with a warning) if a future amqplib changes them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getLogger } from '../../../logging.js';
import { decodeBasicProperties } from './field-decode.js';

const FRAME_HEADER = 2;
const FRAME_METHOD = 1;
const BASIC_CLASS = 60;
const CONNECTION_CLOSE = 655410;

interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly size: number;
  readonly payload: Buffer;
  readonly rest: Buffer;
}

interface FrameModule {
  parseFrame(bin: Buffer, max: number): Frame | false;
  decodeFrame(frame: Frame): unknown;
}

interface ConnectionInternals {
  rest: Buffer;
  maxFrameSize: number;
  recvSinceLastCheck: boolean;
  stream: { read(): Buffer | null };
  [HANDSHAKE_CLOSE]?: { replyCode: number; replyText: string };
}

interface MuxInternals {
  blocked: boolean;
  out?: { cork?(): void; uncork(): void };
}

/** Where the broker's handshake refusal is kept on an amqplib connection. */
const HANDSHAKE_CLOSE: unique symbol = Symbol('ms.amqp.handshakeClose');

/**
 * The broker's reply to a refused connection, read from the connect error (see point 2 above).
 * @example handshakeRefusal(error)?.replyCode; // 530
 */
export function handshakeRefusal(error: unknown): { replyCode: number; replyText: string } | undefined {
  const refusal = (error as { amqpClose?: unknown } | null)?.amqpClose as
    | { replyCode: number; replyText: string }
    | undefined;
  if (refusal !== undefined) return refusal;
  // amqplib's own message for a refusal after start-ok (wrong password): "... 403 (ACCESS-REFUSED) with message "…""
  const match = /terminated by server: (\d+) \([^)]*\) with message "(.*)"$/s.exec(
    (error as Error | null)?.message ?? '',
  );
  return match ? { replyCode: Number(match[1]), replyText: match[2] as string } : undefined;
}

function decodeFrame(frame: Frame, original: FrameModule['decodeFrame']): unknown {
  if (frame.type === FRAME_HEADER && frame.payload.readUInt16BE(0) === BASIC_CLASS) {
    const payload = frame.payload;
    return {
      id: BASIC_CLASS,
      channel: frame.channel,
      size: Number(payload.readBigUInt64BE(4)),
      fields: decodeBasicProperties(payload.subarray(12)),
    };
  }
  return original(frame);
}

let installed: boolean | undefined;

/**
 * Installs the patch (idempotent; it also runs when this module is first imported).
 * @example installAmqpWirePatch(); // true when amqplib's internals have the expected shape
 */
export function installAmqpWirePatch(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  try {
    const require = createRequire(import.meta.url);
    // The package's `exports` hide lib/; an absolute path reaches the same module instances as `import 'amqplib'`.
    const root = dirname(require.resolve('amqplib'));
    const frames = require(join(root, 'lib', 'frame.js')) as FrameModule;
    const { Connection } = require(join(root, 'lib', 'connection.js')) as {
      Connection: { prototype: Record<string, unknown> };
    };
    const { Mux } = require(join(root, 'lib', 'mux.js')) as { Mux: { prototype: Record<string, unknown> } };
    const proto = Connection.prototype;
    const muxProto = Mux.prototype;
    if (
      typeof muxProto._readIncoming !== 'function' ||
      typeof frames.parseFrame !== 'function' ||
      typeof frames.decodeFrame !== 'function' ||
      typeof proto.recvFrame !== 'function' ||
      typeof proto.open !== 'function'
    ) {
      throw new Error('amqplib internals have changed');
    }
    const originalDecode = frames.decodeFrame;
    const originalOpen = proto.open as (this: ConnectionInternals, fields: unknown, callback: Callback) => void;
    proto.recvFrame = function recvFrame(this: ConnectionInternals): unknown {
      // Same loop as amqplib's own recvFrame, with our content-header decoding.
      for (;;) {
        const frame = frames.parseFrame(this.rest, this.maxFrameSize);
        if (frame) {
          this.rest = frame.rest;
          const decoded = decodeFrame(frame, originalDecode) as { id?: number; fields?: unknown };
          if (frame.type === FRAME_METHOD && frame.channel === 0 && decoded.id === CONNECTION_CLOSE) {
            this[HANDSHAKE_CLOSE] = decoded.fields as { replyCode: number; replyText: string };
          }
          return decoded;
        }
        const incoming = this.stream.read();
        if (incoming === null) return false;
        this.recvSinceLastCheck = true;
        this.rest = Buffer.concat([this.rest, incoming]);
      }
    };
    proto.open = function open(this: ConnectionInternals, fields: unknown, callback: Callback): void {
      originalOpen.call(this, fields, (error, ok) => {
        const refusal = this[HANDSHAKE_CLOSE];
        if (error && refusal && typeof error === 'object') {
          Object.assign(error, { amqpClose: { replyCode: refusal.replyCode, replyText: String(refusal.replyText) } });
        }
        callback(error, ok);
      });
    };
    const originalRound = muxProto._readIncoming as (this: MuxInternals) => void;
    muxProto._readIncoming = function readIncoming(this: MuxInternals): void {
      const out = this.out;
      if (this.blocked || typeof out?.cork !== 'function') {
        originalRound.call(this);
        return;
      }
      out.cork();
      try {
        originalRound.call(this);
      } finally {
        out.uncork();
      }
    };
    installed = true;
  } catch (error) {
    getLogger('microservices.queues.amqp').warn(
      `could not extend amqplib's frame decoding (${(error as Error).message}); foreign header types will close the connection`,
    );
  }
  return installed;
}

type Callback = (error: Error | null, ok?: unknown) => void;

installAmqpWirePatch();
