import type { StandardSchemaV1 } from '@standard-schema/spec';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildAsyncApi } from '../../src/contracts/index.js';
import { MicroservicesError } from '../../src/errors.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk the built document freely.
type Doc = Record<string, any>;

/**
 * The AsyncAPI 3.0 rules these documents must meet, checked by hand until @asyncapi/parser is available:
 * required root fields, channels with an address and messages, operations with action send/receive, a
 * channel $ref and message $refs into that channel, and every local $ref resolving.
 */
function expectAsyncApi3(document: Doc): void {
  expect(document.asyncapi).toBe('3.0.0');
  expect(typeof document.info.title).toBe('string');
  expect(typeof document.info.version).toBe('string');
  const idPattern = /^[A-Za-z0-9_-]+$/;
  for (const [id, server] of Object.entries<Doc>(document.servers ?? {})) {
    expect(id).toMatch(idPattern);
    expect(typeof server.host).toBe('string');
    expect(server.host).not.toContain('@');
    expect(typeof server.protocol).toBe('string');
  }
  for (const [id, channel] of Object.entries<Doc>(document.channels)) {
    expect(id).toMatch(idPattern);
    expect(typeof channel.address).toBe('string');
    expect(typeof channel.messages).toBe('object');
  }
  for (const [id, operation] of Object.entries<Doc>(document.operations)) {
    expect(id).toMatch(idPattern);
    expect(['send', 'receive']).toContain(operation.action);
    expect(operation.channel.$ref).toMatch(/^#\/channels\/[A-Za-z0-9_-]+$/);
    for (const message of operation.messages)
      expect(message.$ref.startsWith(`${operation.channel.$ref}/messages/`)).toBe(true);
  }
  for (const [id, message] of Object.entries<Doc>(document.components.messages)) {
    expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(message.payload === undefined || typeof message.payload === 'object').toBe(true);
  }
  const unresolved: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') {
        let target: unknown = document;
        for (const part of inner.replace(/^#\//, '').split('/')) target = (target as Doc | undefined)?.[part];
        if (target === undefined) unresolved.push(inner);
      } else walk(inner);
    }
  };
  walk(document);
  expect(unresolved).toEqual([]);
}

const payloads: [string, StandardSchemaV1][] = [
  ['zod', z.object({ id: z.number().int(), title: z.string() })],
  ['valibot', toStandardJsonSchema(v.object({ id: v.number(), title: v.string() }))],
  ['arktype', type({ id: 'number.integer', title: 'string' })],
];

describe('buildAsyncApi(): AsyncAPI 3.0 structure for each vendor', () => {
  it.each(payloads)('%s', (_vendor, schema) => {
    const { document, missing } = buildAsyncApi(
      { title: 'notes', version: '1.0.0', description: 'Note events.' },
      {
        queues: [
          { name: 'notes.created', description: 'A note was **created**.', schema },
          { name: 'notes.deleted', action: 'send' },
        ],
        exchanges: [{ name: 'events', type: 'topic', routingKeys: ['notes.*'] }],
        server: { url: 'amqp://guest:secret@localhost:5672/prod' },
      },
    );
    expect(missing).toEqual([]);
    const doc = document as Doc;
    expectAsyncApi3(doc);
    expect(doc.channels.notes_created).toMatchObject({
      address: 'notes.created',
      description: 'A note was **created**.',
      bindings: { amqp: { is: 'queue', queue: { name: 'notes.created' } } },
    });
    expect(doc.operations.receive_notes_created).toEqual({
      action: 'receive',
      channel: { $ref: '#/channels/notes_created' },
      messages: [{ $ref: '#/channels/notes_created/messages/notes_created' }],
    });
    expect(doc.operations.send_notes_deleted.action).toBe('send');
    const payload = doc.components.schemas[doc.components.messages.notes_created.payload.$ref.split('/').pop()];
    expect(payload).toMatchObject({ type: 'object', properties: { title: { type: 'string' } } });
    expect(payload.$schema).toBeUndefined();
    expect(doc.channels.exchange_events).toMatchObject({
      address: 'events',
      description: 'topic exchange; routing keys: notes.*',
      bindings: { amqp: { is: 'routingKey', exchange: { name: 'events', type: 'topic' } } },
    });
  });
});

describe('buildAsyncApi(): server, missing parts and errors', () => {
  it('never shows the password: host apart, URL masked, query left out', () => {
    const { document } = buildAsyncApi(
      { title: 't', version: '1' },
      { queues: [], server: { url: 'amqp://guest:s3cret@rabbit:5672/vhost?password=s3cret' } },
    );
    const text = JSON.stringify(document);
    expect(text).not.toContain('s3cret');
    expect((document as Doc).servers.broker).toEqual({
      host: 'rabbit:5672',
      protocol: 'amqp',
      pathname: '/vhost',
      description: 'Broker: amqp://guest:**@rabbit:5672/vhost',
    });
  });
  it('a password without a user (redis://:pw@) is masked too; protocol may be given', () => {
    const { document } = buildAsyncApi(
      { title: 't', version: '1' },
      { queues: [{ name: 'q' }], server: { url: 'redis://:pw@localhost:6379', protocol: 'redis' } },
    );
    expect(JSON.stringify(document)).not.toContain('pw@');
    expect((document as Doc).servers.broker.description).toBe('Broker: redis://:**@localhost:6379');
    expect((document as Doc).channels.q.bindings).toBeUndefined();
    expectAsyncApi3(document as Doc);
  });
  it('a payload schema without JSON Schema is listed as missing, naming the vendor', () => {
    const { document, missing } = buildAsyncApi(
      { title: 't', version: '1' },
      { queues: [{ name: 'q', schema: v.object({ a: v.string() }) }], server: { url: 'memory://t' } },
    );
    expectAsyncApi3(document as Doc);
    expect(missing).toEqual([{ where: 'queue q payload', vendor: 'valibot', reason: expect.any(String) }]);
    expect((document as Doc).components.messages.q.payload).toBeUndefined();
  });
  it('queue names that collide after sanitising get distinct ids', () => {
    const { document } = buildAsyncApi(
      { title: 't', version: '1' },
      { queues: [{ name: 'a.b' }, { name: 'a_b' }], server: { url: 'memory://t' } },
    );
    expect(Object.keys((document as Doc).channels)).toEqual(['a_b', 'a_b_2']);
    expectAsyncApi3(document as Doc);
  });
  it('an unparsable server URL throws MS_CONTRACT_INVALID without repeating it', () => {
    let caught: unknown;
    try {
      buildAsyncApi({ title: 't', version: '1' }, { queues: [], server: { url: 'user:pw@nohost' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MicroservicesError);
    expect((caught as MicroservicesError).code).toBe('MS_CONTRACT_INVALID');
    expect((caught as Error).message).not.toContain('pw');
  });
});
