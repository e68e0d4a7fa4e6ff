/** Type tests for queue contracts: a schema types the handler's payload and the client's publish. */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Client, type HandlerContext, Microservice, type QueuePublisher } from '../../src/queues/index.js';

const NoteCreated = z.object({ id: z.number().int(), title: z.string(), tags: z.array(z.string()).default([]) });
const ValiNote = toStandardJsonSchema(v.object({ id: v.number(), title: v.string() }));
const ArkNote = type({ id: 'number', title: 'string' });

const app = new Microservice({ connection: 'memory://types', immediateConnect: false });
const client = new Client('memory://types');

describe('service: queue(name, { schema }, handler)', () => {
  it('types the payload with the schema output (defaults applied)', () => {
    app.queue('notes.created', { schema: NoteCreated }, async (payload, context) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: number; title: string; tags: string[] }>();
      expectTypeOf(context).toEqualTypeOf<HandlerContext>();
    });
  });

  it('works with valibot (through the JSON Schema wrapper) and arktype', () => {
    app.queue('vali', { schema: ValiNote }, (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: number; title: string }>();
    });
    app.queue('ark', { schema: ArkNote }, (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ id: number; title: string }>();
    });
  });

  it('refuses a handler that reads a field the schema does not have', () => {
    app.queue('notes.created', { schema: NoteCreated }, (payload) => {
      // @ts-expect-error: `body` is not a field of NoteCreated
      return payload.body;
    });
    // @ts-expect-error: the handler expects a string payload, the schema gives an object
    app.queue('notes.created', { schema: NoteCreated }, (payload: string) => payload.length);
  });

  it('returns the handler it was given; options first without a schema and handler first still work', () => {
    const handler = async (payload: { id: number; title: string; tags: string[] }): Promise<number> => payload.id;
    expectTypeOf(app.queue('n', { schema: NoteCreated }, handler)).toEqualTypeOf(handler);
    app.queue('plain', { prefetchCount: 5 }, (payload) => {
      expectTypeOf(payload).toEqualTypeOf<unknown>();
    });
    app.queue('old', (payload) => expectTypeOf(payload).toEqualTypeOf<unknown>(), { retry: { maxRetries: 1 } });
  });

  it('asyncapi() returns a document object', () => {
    expectTypeOf(app.asyncapi({ title: 't', version: '1' })).toEqualTypeOf<Record<string, unknown>>();
  });
});

describe('client: queue(name, { schema }).publish(payload)', () => {
  it('takes the schema input (defaults optional) and refuses anything else', async () => {
    const notes = client.queue('notes.created', { schema: NoteCreated });
    expectTypeOf(notes).toEqualTypeOf<QueuePublisher<{ id: number; title: string; tags?: string[] | undefined }>>();
    await notes.publish({ id: 1, title: 'x' });
    await notes.publish({ id: 1, title: 'x', tags: ['a'] }, { priority: 1 });
    // @ts-expect-error: title is required
    await notes.publish({ id: 1 });
    // @ts-expect-error: id is a number
    await notes.publish({ id: '1', title: 'x' });
    // @ts-expect-error: not an object
    await notes.publish('hello');
  });

  it('valibot and arktype schemas type publish too; opting out of validation keeps the types', async () => {
    // @ts-expect-error: title is a string
    await client.queue('vali', { schema: ValiNote }).publish({ id: 1, title: 2 });
    // @ts-expect-error: id is missing
    await client.queue('ark', { schema: ArkNote, validate: false }).publish({ title: 'x' });
  });

  it('without a schema any payload goes', async () => {
    expectTypeOf(client.queue('basic')).toEqualTypeOf<QueuePublisher>();
    await client.queue('basic').publish(Buffer.from('x'));
  });
});
