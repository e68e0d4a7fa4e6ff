/**
 * One valibot contract drives everything (docs/contracts.md): the HTTP route validates its body and query and
 * types its handler, the response schema types what it returns, `/openapi.json` documents it, the typed client
 * checks calls with tsc, and the queue payload schema types and validates both ends of `notes.created`.
 *
 *   npx tsx examples/contracts/valibot.ts
 */

import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { typedClient } from 'microservices-ts/client';
import { Microservice, ResponseError, reply } from 'microservices-ts/http';
import { Client as QueueClient, Microservice as QueueService } from 'microservices-ts/queues';
import * as v from 'valibot';
import { brokerUrl, isMain } from '../queues/broker-url.js';

const NoteInputSchema = v.object({
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  tags: v.optional(v.array(v.string()), []),
});
// Query values arrive as strings: check, then parse.
const PagingSchema = v.object({
  page: v.optional(v.pipe(v.string(), v.digits(), v.transform(Number), v.minValue(1)), '1'),
});
const NoteSchema = v.object({ id: v.pipe(v.number(), v.integer()), title: v.string(), tags: v.array(v.string()) });
const NoteCreatedSchema = v.object({ id: v.pipe(v.number(), v.integer(), v.minValue(1)), title: v.string() });
type NoteOut = v.InferOutput<typeof NoteSchema>;

// Valibot does not implement Standard JSON Schema itself: toStandardJsonSchema() adds it (and still validates),
// so /openapi.json and AsyncAPI can describe these schemas.
export const NoteInput = toStandardJsonSchema(NoteInputSchema);
export const Paging = toStandardJsonSchema(PagingSchema);
export const Note = toStandardJsonSchema(NoteSchema);
export const NoteList = toStandardJsonSchema(v.array(NoteSchema));
export const NoteCreated = toStandardJsonSchema(NoteCreatedSchema);

/** Builds the notes service (one chain, so its type carries the routes for the typed client). */
export function notesApp(publish: (event: v.InferInput<typeof NoteCreatedSchema>) => Promise<void>) {
  const notes: NoteOut[] = [];
  return new Microservice('notes-valibot', { openapi: { title: 'Notes (valibot)', version: '1.0.0' } })
    .get('/notes/', { endpoint: 'list_notes', schema: { query: Paging, response: { 200: NoteList } } }, (req) =>
      notes.slice((req.query.page - 1) * 10, req.query.page * 10),
    )
    .post('/notes/', { endpoint: 'create_note', schema: { body: NoteInput, response: { 201: Note } } }, async (req) => {
      const note = { id: notes.length + 1, ...req.data }; // req.data: { title: string; tags: string[] }
      notes.push(note);
      await publish({ id: note.id, title: note.title });
      return reply(note, 201);
    });
}

export async function runValibotDemo(url = brokerUrl()) {
  const worker = new QueueService({ connection: url });
  const received: v.InferOutput<typeof NoteCreatedSchema>[] = [];
  worker.queue('notes.created', { schema: NoteCreated }, async (event) => {
    received.push(event); // event: { id: number; title: string }
  });
  await worker.ready();
  const queues = new QueueClient(url);
  const events = queues.queue('notes.created', { schema: NoteCreated });

  const app = notesApp((event) => events.publish(event));
  const address = await app.listen({ port: 0 });
  const api = typedClient<typeof app>(address);
  try {
    const created = await api.post('/notes/', { body: { title: 'Buy milk' } });
    const refused = await api
      .post('/notes/', { body: { title: '' } })
      .catch((error: unknown) => (error instanceof ResponseError ? JSON.parse(error.content) : Promise.reject(error)));
    const listed = await api.get('/notes/', { query: { page: '1' } });
    const openapi = await (await fetch(new URL('/openapi.json', address))).json();
    await worker.read(1, 100); // consume what the POST published
    return { created: created.data, refused, listed: listed.data, received, openapi };
  } finally {
    await api.close();
    await app.close();
    await queues.close();
    await worker.stop();
  }
}

if (isMain(import.meta.url)) console.dir(await runValibotDemo(), { depth: 4 });
