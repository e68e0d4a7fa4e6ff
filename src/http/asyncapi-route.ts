/**
 * Serves a queue service's AsyncAPI document from an HTTP service, next to `/openapi.json`. The HTTP side
 * never imports the queues: anything with an `asyncapi()` method will do.
 */
import type { FastifySchema } from 'fastify';
import type { Microservice } from './service.js';

/** What can be served: a queue service (`QueueService`), or anything else with an `asyncapi()` method. */
export interface AsyncApiSource<O> {
  asyncapi(options?: O): Record<string, unknown>;
}

/** Options of `serveAsyncApi()`. */
export interface ServeAsyncApiOptions<O> {
  /** Where the document is served. Default `/asyncapi.json`. */
  readonly path?: string;
  /** Passed to `source.asyncapi()` (for a queue service: title, version, description, exchanges). */
  readonly document?: O;
}

/**
 * Serves `source.asyncapi()` as JSON at `/asyncapi.json` (GET and HEAD), built on each request so queues
 * registered later are in it. Call it before `listen()`, as for any route.
 * @example
 * const worker = new QueueService({ connection: 'amqp://guest:guest@localhost/' });
 * worker.queue('notes.created', { schema: NoteCreated }, save);
 * serveAsyncApi(app, worker, { document: { title: 'notes', version: '1.0.0' } });
 */
export function serveAsyncApi<O>(
  app: Microservice,
  source: AsyncApiSource<O>,
  options: ServeAsyncApiOptions<O> = {},
): void {
  const path = options.path ?? '/asyncapi.json';
  if (!path.startsWith('/'))
    throw new TypeError(`serveAsyncApi: the path must start with "/", not ${path.slice(0, 64)}`);
  app.fastify.route({
    method: ['GET', 'HEAD'],
    url: path,
    schema: { hide: true } as FastifySchema,
    handler: (_request, reply) => {
      const document = source.asyncapi(options.document);
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(document));
    },
  });
}
