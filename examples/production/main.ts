/**
 * An HTTP service and a queue worker in one process, as it runs in production: one `run(...)` starts the
 * queue client, the worker and the API, `/healthz`, `/readyz` and `/metrics` are on, configuration comes from
 * the environment, and SIGTERM drains everything in order (readiness 503, HTTP, the worker's handlers, the
 * client) before the process ends with the run's exit code. See docs/operations.md for the Kubernetes probes
 * and the Prometheus scrape.
 *
 *   npx tsx examples/production/main.ts                                    # memory://notes, 127.0.0.1:8080
 *   BROKER_URL=amqp://guest:guest@localhost:5672/ PORT=8080 HOST=0.0.0.0 npx tsx examples/production/main.ts
 */
import { HttpService, QueueClient, QueueService, readEnv, run } from 'microservices-ts';
import { reply } from 'microservices-ts/http';

interface Note {
  readonly id: number;
  readonly text: string;
  indexed: boolean;
}

const env = readEnv(); // refuses a malformed PORT, LOG_LEVEL, ... at start, naming the variable
const broker = env.brokerUrl ?? 'memory://notes';

const events = new QueueClient({ connection: broker, name: 'events', metrics: true });
const worker = new QueueService({ connection: broker, name: 'notes-worker', workers: 4, metrics: true });
const app = new HttpService(env.serviceName ?? 'notes', { metrics: true, port: env.port ?? 8080 });

const notes = new Map<number, Note>();

app.post('/notes/', async (request) => {
  const text = String((request.data as { text?: unknown }).text ?? '').slice(0, 1_000);
  const note: Note = { id: notes.size + 1, text, indexed: false };
  notes.set(note.id, note);
  await events.queue('notes.created').publish({ id: note.id }); // resolves once the broker has it
  return reply(note, 201);
});

app.get('/notes/<int:id>/', (request) => notes.get(request.params.id) ?? reply({ message: 'no such note' }, 404));

worker.queue('notes.created', async (payload, context) => {
  const { id } = payload as { id: number };
  const note = notes.get(id);
  if (note) note.indexed = true;
  context.logger.info(`indexed note ${id}`);
});

// A readiness check of your own: the process takes no traffic while it returns false.
app.health.check('notes-store', () => notes.size < 100_000);

const handle = await run(events, worker, app, { drainTimeoutMs: env.shutdownTimeoutMs ?? 10_000 });
console.log(`notes ready on ${app.fastify.listeningOrigin} (broker ${broker.replace(/\/\/[^@/]*@/, '//')})`);
process.exitCode = (await handle.stopped).code;
