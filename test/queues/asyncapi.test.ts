/**
 * `service.asyncapi()` and `serveAsyncApi()`: the AsyncAPI 3.0 document of a queue service, validated with
 * @asyncapi/parser. The parser is slow to load, so one document (with the servers of all five transports
 * merged in) is parsed once for the whole file.
 */
import { Parser } from '@asyncapi/parser';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpService, serveAsyncApi } from '../../src/http/index.js';
import type { Logger } from '../../src/logging.js';
import { Microservice } from '../../src/queues/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk the built document freely.
type Doc = Record<string, any>;

const NoteCreated = z.object({ id: z.number().int(), title: z.string(), tags: z.array(z.string()).default([]) });
const NoteDeleted = toStandardJsonSchema(v.object({ id: v.number() }));
const Audit = type({ at: 'string', who: 'string' });
const warnings: string[] = [];
const logger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message) => void warnings.push(message),
  error: () => {},
};

function notesService(connection: string): Microservice {
  const app = new Microservice({ connection, immediateConnect: false, logger });
  app.queue('notes.created', { schema: NoteCreated }, () => {});
  app.queue('notes.deleted', { schema: NoteDeleted, deadLetter: 'notes.graveyard' }, () => {});
  app.queue('audit', { schema: Audit, deadLetter: false }, () => {});
  app.queue('raw.bytes', () => {}, { raw: true });
  // valibot without the JSON Schema wrapper: validated, but not describable.
  app.queue('notes.unwrapped', { schema: v.object({ id: v.number() }) }, () => {});
  return app;
}

const exchanges = [{ name: 'events', type: 'topic', routingKeys: ['notes.*'] }];
const amqp = notesService('amqp://guest:s3cret@127.0.0.1:5672/prod');
const document = amqp.asyncapi({ title: 'notes', version: '2.1.0', description: 'Note **events**.', exchanges });
const others: Record<string, string> = {
  redis: 'redis://:r3dispass@127.0.0.1:6379/2',
  nats: 'nats://user:n4tspass@127.0.0.1:4222/',
  mqtt: 'mqtt://user:mqttpass@127.0.0.1:1883/',
  memory: 'memory://',
};
const servers = Object.fromEntries(
  Object.entries(others).map(([id, connection]) => [id, (notesService(connection).asyncapi() as Doc).servers.broker]),
);
const merged: Doc = { ...document, servers: { ...(document as Doc).servers, ...servers } };
/** The parser gives no document back when the input is not valid AsyncAPI. */
let parsedVersion: string | undefined;
let diagnostics: Array<{ severity: number; code: string | number; message: string; path: Array<string | number> }>;

beforeAll(async () => {
  const parsed = await new Parser().parse(merged as never);
  parsedVersion = parsed.document?.version();
  diagnostics = parsed.diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: d.path,
  }));
}, 120_000);

describe('service.asyncapi(): AsyncAPI 3.0', () => {
  it('passes @asyncapi/parser without errors or warnings, with every transport as a server', () => {
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints (e.g. "3.1.0 exists").
    expect(diagnostics.filter((d) => d.severity < 2)).toEqual([]);
    expect(parsedVersion).toBe('3.0.0');
    expect(Object.keys(merged.servers).sort()).toEqual(['broker', 'memory', 'mqtt', 'nats', 'redis']);
  });

  it('never shows a password: masked as ** in each server, and nowhere else in the document', () => {
    const text = JSON.stringify(merged);
    for (const secret of ['s3cret', 'r3dispass', 'n4tspass', 'mqttpass']) expect(text).not.toContain(secret);
    expect(merged.servers.broker).toMatchObject({ host: '127.0.0.1:5672', protocol: 'amqp', pathname: '/prod' });
    expect(merged.servers.broker.description).toBe('Broker: amqp://guest:**@127.0.0.1:5672/prod');
    expect(merged.servers.nats.description).toBe('Broker: nats://user:**@127.0.0.1:4222/');
    expect(merged.servers.memory).toMatchObject({ host: 'default', protocol: 'memory' });
    expect(merged.info).toEqual({ title: 'notes', version: '2.1.0', description: 'Note **events**.' });
  });

  it('has a receive channel per queue, a send channel per dead-letter queue, and the exchanges', () => {
    const doc = document as Doc;
    const byAddress = new Map(Object.values<Doc>(doc.channels).map((channel) => [channel.address, channel]));
    expect([...byAddress.keys()].sort()).toEqual(
      [
        'audit',
        'events',
        'notes.created',
        'notes.created.dead-letter',
        'notes.deleted',
        'notes.graveyard',
        'notes.unwrapped',
        'notes.unwrapped.dead-letter',
        'raw.bytes',
        'raw.bytes.dead-letter',
      ].sort(),
    );
    const actions = Object.values<Doc>(doc.operations).map((op) => `${op.action} ${op.channel.$ref}`);
    expect(actions).toContain('receive #/channels/notes_created');
    expect(actions).toContain('send #/channels/notes_graveyard');
    expect(byAddress.get('events')?.description).toBe('topic exchange; routing keys: notes.*');
    expect(byAddress.get('notes.created.dead-letter')?.description).toMatch(/x-validation-issues/);
    expect(byAddress.get('notes.created')?.bindings.amqp).toMatchObject({ is: 'queue' });
  });

  it('describes payloads from zod, valibot (wrapped) and arktype; says which could not be described', () => {
    const doc = document as Doc;
    const payload = (name: string): Doc | undefined => {
      const ref = doc.components.messages[name]?.payload?.$ref as string | undefined;
      return ref ? doc.components.schemas[ref.split('/').at(-1) as string] : undefined;
    };
    expect(payload('notes_created')).toMatchObject({
      type: 'object',
      properties: { id: { type: 'integer' }, title: { type: 'string' }, tags: { type: 'array' } },
      required: ['id', 'title'],
    });
    expect(payload('notes_deleted')).toMatchObject({ type: 'object', properties: { id: { type: 'number' } } });
    expect(payload('audit')).toMatchObject({ type: 'object', required: ['at', 'who'] });
    expect(payload('notes_unwrapped')).toBeUndefined();
    expect(payload('raw_bytes')).toBeUndefined();
    expect(warnings.some((w) => /notes\.unwrapped payload is not described: valibot/.test(w))).toBe(true);
  });
});

describe('serveAsyncApi(): the document over HTTP', () => {
  it('serves the current document at /asyncapi.json (GET and HEAD), queues registered later included', async () => {
    const worker = new Microservice({ connection: 'memory://asyncapi-http', immediateConnect: false });
    worker.queue('first', { schema: NoteCreated }, () => {});
    const app = new HttpService('notes-http');
    serveAsyncApi(app, worker, { document: { title: 'notes', version: '1.0.0' } });
    serveAsyncApi(app, worker, { path: '/docs/asyncapi.json' });
    try {
      worker.queue('second', () => {});
      const response = await app.inject({ method: 'GET', url: '/asyncapi.json' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      const served = response.json() as Doc;
      expect(served.info).toEqual({ title: 'notes', version: '1.0.0' });
      expect(served).toEqual(worker.asyncapi({ title: 'notes', version: '1.0.0' }));
      expect(Object.values<Doc>(served.channels).map((c) => c.address)).toContain('second');
      const head = await app.inject({ method: 'HEAD', url: '/asyncapi.json' });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
      const other = await app.inject({ method: 'GET', url: '/docs/asyncapi.json' });
      expect((other.json() as Doc).asyncapi).toBe('3.0.0');
      expect(() => serveAsyncApi(app, worker, { path: 'asyncapi.json' })).toThrow(/must start with/);
    } finally {
      await app.close();
      await worker.stop();
    }
  });
});
