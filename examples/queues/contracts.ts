/**
 * A typed queue contract (docs/contracts.md, "Queues"): one zod schema types the handler and the publisher,
 * validates on both ends, and describes the service in AsyncAPI.
 *
 *   npx tsx examples/queues/contracts.ts                       # memory://demo
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ npx tsx examples/queues/contracts.ts
 */
import { Client, DEAD_LETTER_HEADERS, Microservice, ValidationError } from 'microservices-ts/queues';
import { z } from 'zod';
import { brokerUrl, isMain } from './broker-url.js';

export const NoteCreated = z.object({
  id: z.number().int().positive(),
  title: z.string().min(1).max(200),
  tags: z.array(z.string()).default([]),
});

/** What the demo saw: the note the handler got, the issues of the refused publish, the dead letter's headers. */
export interface ContractsDemo {
  readonly received: unknown;
  readonly refused: unknown;
  readonly deadLetter: Readonly<Record<string, unknown>>;
  readonly channels: readonly string[];
}

/** `queue` is a parameter only so that tests on a shared broker do not collide; the docs use `notes.created`. */
export async function runContractsDemo(url = brokerUrl(), queue = 'notes.created'): Promise<ContractsDemo> {
  const worker = new Microservice({ connection: url });
  let received: unknown;
  let deadLetter: Readonly<Record<string, unknown>> | undefined;

  // `note` is { id: number; title: string; tags: string[] }: the schema's output, defaults applied.
  worker.queue(queue, { schema: NoteCreated }, async (note) => {
    received = note;
    console.log(`note ${note.id}: ${note.title} [${note.tags.join(', ')}]`);
  });
  // An invalid payload lands here at once, never retried, with the issues in a header.
  worker.queue(
    `${queue}.dead-letter`,
    (_payload, context) => {
      deadLetter = context.message.headers;
    },
    { deadLetter: false },
  );
  await worker.ready();

  const client = new Client(url);
  const notes = client.queue(queue, { schema: NoteCreated });
  await notes.publish({ id: 1, title: 'Buy milk' }); // tsc checks this object against the schema's input

  let refused: unknown;
  try {
    await notes.publish({ id: 2, title: '' }); // valid for tsc, refused by the schema: nothing is sent
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    refused = error.issues; // [{ path: 'payload.title', message: 'Too small: expected string to have >=1 characters' }]
  }

  // A publisher without the schema (another service, an old version) gets through to the broker...
  await client.queue(queue).publish({ id: 'three' });
  await worker.read(1, 200); // ...and the worker dead-letters it without calling the handler.

  const document = worker.asyncapi({ title: 'notes', version: '1.0.0' }) as {
    channels: Record<string, { address: string }>;
  };
  await client.close();
  await worker.stop();
  return {
    received,
    refused,
    deadLetter: deadLetter ?? {},
    channels: Object.values(document.channels).map((channel) => channel.address),
  };
}

if (isMain(import.meta.url)) {
  const demo = await runContractsDemo();
  console.log('refused before sending:', demo.refused);
  console.log('dead-lettered:', demo.deadLetter[DEAD_LETTER_HEADERS.issues]);
  console.log('AsyncAPI channels:', demo.channels);
}
