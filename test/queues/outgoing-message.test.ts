/** The queue client's outgoing message: text handed to the transport as it is, bytes built only on demand. */

import { describe, expect, it } from 'vitest';
import { encodePayload, encodeWireBody } from '../../src/queues/codec.js';
import { ClientMessage } from '../../src/queues/outgoing-message.js';

describe('ClientMessage', () => {
  it('gives the same bytes as encodePayload for JSON, text and binary payloads', () => {
    const payloads: unknown[] = [{ a: 'é😀', b: [1, null] }, 'plain \uD800 text', 42, Buffer.from([0xff, 0x00])];
    for (const payload of payloads) {
      const message = new ClientMessage(encodeWireBody(payload), {});
      expect(message.body.equals(encodePayload(payload).body)).toBe(true);
    }
  });

  it('carries text bodies as text and binary ones as bytes', () => {
    expect(new ClientMessage(encodeWireBody({ a: 1 }), {}).text).toBe('{"a":1}');
    expect(new ClientMessage(encodeWireBody('hi'), {}).text).toBe('hi');
    const bytes = Buffer.from([1, 2, 3]);
    const binary = new ClientMessage(encodeWireBody(bytes), {});
    expect(binary.text).toBeUndefined();
    expect(binary.body).toBe(bytes);
  });

  it('builds the bytes of a text body once, on the first read', () => {
    const message = new ClientMessage(encodeWireBody({ a: 1 }), {});
    expect(message.body).toBe(message.body);
  });

  it('withProperties keeps the body and replaces only the properties', () => {
    const message = new ClientMessage(encodeWireBody({ a: 1 }), { messageId: 'm1' });
    const built = message.body;
    const copy = message.withProperties({ messageId: 'm1', headers: { traceparent: 'x' } });
    expect(copy.text).toBe('{"a":1}');
    expect(copy.body).toBe(built);
    expect(copy.properties.headers).toEqual({ traceparent: 'x' });
    expect(message.properties.headers).toBeUndefined();
  });
});
