/**
 * One zod contract drives everything (docs/contracts.md): the HTTP route validates its body and query and
 * types its handler, the response schema types what it returns, `/openapi.json` documents it, the typed client
 * checks calls with tsc, and the queue payload schema types and validates both ends of `notes.created`.
 *
 *   npx tsx examples/contracts/zod.ts
 */
import { typedClient } from 'microservices-ts/client';
import { Microservice, ResponseError, reply } from 'microservices-ts/http';
import { Client as QueueClient, Microservice as QueueService } from 'microservices-ts/queues';
import { z } from 'zod';
import { brokerUrl, isMain } from '../queues/broker-url.js';

export const NoteInput = z.object({ title: z.string().min(1).max(200), tags: z.array(z.string()).default([]) });
export const Paging = z.object({ page: z.coerce.number().int().min(1).default(1) });
export const Note = z.object({ id: z.number().int(), title: z.string(), tags: z.array(z.string()) });
export const NoteCreated = z.object({ id: z.number().int().positive(), title: z.string() });
type NoteOut = z.output<typeof Note>;

/** Builds the notes service (one chain, so its type carries the routes for the typed client). */
export function notesApp(publish: (event: z.input<typeof NoteCreated>) => Promise<void>) {
  const notes: NoteOut[] = [];
  return new Microservice('notes-zod', { openapi: { title: 'Notes (zod)', version: '1.0.0' } })
    .get('/notes/', { endpoint: 'list_notes', schema: { query: Paging, response: { 200: z.array(Note) } } }, (req) =>
      notes.slice((req.query.page - 1) * 10, req.query.page * 10),
    )
    .post('/notes/', { endpoint: 'create_note', schema: { body: NoteInput, response: { 201: Note } } }, async (req) => {
      const note = { id: notes.length + 1, ...req.data }; // req.data: { title: string; tags: string[] }
      notes.push(note);
      await publish({ id: note.id, title: note.title });
      return reply(note, 201);
    });
}

export async function runZodDemo(url = brokerUrl()) {
  const worker = new QueueService({ connection: url });
  const received: z.output<typeof NoteCreated>[] = [];
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
    const listed = await api.get('/notes/', { query: { page: 1 } });
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

if (isMain(import.meta.url)) console.dir(await runZodDemo(), { depth: 4 });
