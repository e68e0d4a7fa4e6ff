/** The service the typed client's tests (type and runtime) are written against. */
import { z } from 'zod';
import { Microservice, ResourceMarker, reply } from '../../src/http/index.js';

export const NoteInput = z.object({ title: z.string().min(1), done: z.boolean().default(false) });
export const Note = z.object({ id: z.number().int(), title: z.string(), done: z.boolean() });
export const Paging = z.object({ page: z.coerce.number().int().min(1).default(1), q: z.string().optional() });

/** Builds the notes service in one chain, so its type carries every route. */
export function notesService() {
  const notes = new Map<number, z.output<typeof Note>>();
  return new Microservice('typed-notes')
    .get('/notes/', { schema: { query: Paging, response: { 200: z.array(Note) } } }, (req) =>
      [...notes.values()].filter((note) => req.query.q === undefined || note.title.includes(req.query.q)),
    )
    .post('/notes/', { schema: { body: NoteInput, response: { 201: Note } } }, (req) => {
      const note = { id: notes.size + 1, ...req.data };
      notes.set(note.id, note);
      return reply(note, 201);
    })
    .route(
      '/notes/<int:id>/',
      { methods: ['GET', 'PUT'], resource: new ResourceMarker(), schema: { body: NoteInput, response: { 200: Note } } },
      (req) => {
        if (req.method === 'PUT') notes.set(req.params.id, { id: req.params.id, ...req.data });
        const note = notes.get(req.params.id);
        return note ?? reply({ message: 'no such note' }, 404);
      },
    )
    .get('/files/<path:rest>', (req) => ({ rest: req.params.rest }))
    .delete('/notes/<int:id>/', () => reply(null, 204));
}

export type NotesService = ReturnType<typeof notesService>;
