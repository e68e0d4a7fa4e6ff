/**
 * A notes service with a zod body schema, for the generated-form tests (inject and Chromium) and the
 * screenshots: POST /notes/ validates the body (400 with issues when invalid) and answers 201 with the note.
 */
import { Microservice, ResourceMarker, reply } from 'microservices-ts/http';
import { z } from 'zod';

export const NoteInput = z.object({
  // The refinements are checked by the service only (HTML attributes cannot express them): they show the
  // issues of a 400 next to their fields.
  title: z
    .string()
    .min(3)
    .max(80)
    .refine((title) => !/\bTODO\b/.test(title), 'Say what to do instead of TODO')
    .describe('A short title, 3 to 80 characters'),
  priority: z.number().int().min(1).max(5),
  kind: z.enum(['idea', 'task', 'bug']),
  done: z.boolean(),
  due: z.iso.date().optional(),
  tags: z.array(z.string().max(20)).max(5),
  author: z.object({
    name: z
      .string()
      .min(1)
      .refine((name) => name.toLowerCase() !== 'anonymous', 'Sign with your name'),
    email: z.email().optional(),
  }),
});

export function notesFormService(): Microservice {
  const app = new Microservice('notes-forms');
  let next = 1;
  app.route(
    '/notes/',
    {
      endpoint: 'notes',
      methods: ['GET', 'POST'],
      description: 'Notes. POST a note with the form below (or as raw JSON).',
      resource: new ResourceMarker(),
      contentTypes: ['application/json'],
      schema: { body: NoteInput },
    },
    (request) => {
      if (request.method === 'GET') return [];
      const note = { id: next, ...(request.data as z.output<typeof NoteInput>) };
      next += 1;
      return reply(note, 201);
    },
  );
  app.route('/notes/<int:id>/', { endpoint: 'note', resource: new ResourceMarker() }, (request) => ({
    id: request.params.id,
  }));
  return app;
}
