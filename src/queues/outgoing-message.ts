/**
 * The message the queue client hands its transport. A text body (JSON, strings) travels as the text itself
 * (`text`); its UTF-8 bytes are built on the first read of `body`, so a transport whose client sends strings
 * (ioredis) never pays for them: no copy into a Buffer per publish, and fewer pooled Buffers for the GC.
 */
import type { MessageProperties, OutgoingMessage } from './transports/transport.js';

/** A body as text (its bytes are the text's UTF-8) or as bytes. */
export interface TextOrBytes {
  readonly text?: string | undefined;
  readonly bytes?: Buffer | undefined;
}

/**
 * `body` is a getter: code that copies a message must name it (`{ body: m.body, … }`); a spread drops it.
 * @example new ClientMessage(encodeWireBody({ a: 1 }), { persistent: true }).text; // '{"a":1}'
 */
export class ClientMessage implements OutgoingMessage {
  readonly text: string | undefined;
  readonly properties: MessageProperties;
  #bytes: Buffer | undefined;

  constructor(body: TextOrBytes, properties: MessageProperties) {
    this.text = body.text;
    this.#bytes = body.bytes;
    this.properties = properties;
  }

  get body(): Buffer {
    this.#bytes ??= Buffer.from(this.text as string, 'utf8');
    return this.#bytes;
  }

  /** The same body with other properties (the publish span's trace headers). */
  withProperties(properties: MessageProperties): ClientMessage {
    return new ClientMessage({ text: this.text, bytes: this.#bytes }, properties);
  }
}
