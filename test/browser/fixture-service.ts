/**
 * A service for the browser tests: a `notes` resource allowing every method and echoing what it received
 * (method, data, uploaded file names) with a ledger of calls, a resources listing at `/`, and nothing else.
 */
import { Microservice, ResourceMarker, ResourceSchema, reply } from 'microservices-ts/http';
import { afterAll, beforeAll } from 'vitest';

/** One handled request, as the handler saw it. */
export interface LedgerEntry {
  readonly method: string;
  readonly data: unknown;
  readonly files: Readonly<Record<string, { filename: string; text: string }>>;
}

export interface FixtureService {
  readonly app: Microservice;
  readonly origin: string;
  readonly ledger: LedgerEntry[];
  close(): Promise<void>;
}

export const NOTES_DESCRIPTION = `Notes resource

    * GET: list the notes
    * POST, PUT, PATCH: echo the request data
    * DELETE: remove (echoes too)`;

export async function startFixtureService(): Promise<FixtureService> {
  const app = new Microservice('browser-fixture');
  const ledger: LedgerEntry[] = [];
  const listing = new ResourceMarker({ schema: new ResourceSchema({ resources: 'resources' }) });
  app.route('/', { endpoint: 'root', resource: listing }, () => 'root');
  app.route(
    '/notes/',
    {
      endpoint: 'notes',
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      description: NOTES_DESCRIPTION,
      resource: new ResourceMarker(),
    },
    (request) => {
      const files = Object.fromEntries(
        Object.entries(request.files).map(([field, file]) => [
          field,
          { filename: file.filename, text: file.data.toString('utf8') },
        ]),
      );
      ledger.push({ method: request.method, data: request.data, files });
      const uploaded = Object.fromEntries(Object.entries(files).map(([field, file]) => [field, file.filename]));
      return reply({ method: request.method, received: request.data, uploaded }, 200, { 'X-Handled-By': 'notes' });
    },
  );
  const origin = await app.listen({ port: 0 });
  return { app, origin, ledger, close: () => app.close() };
}

/**
 * Starts the fixture service before the enclosing suite's tests and stops it after them; read `.service` inside
 * tests.
 */
export function useFixtureService(): { readonly service: FixtureService } {
  let service: FixtureService | undefined;
  beforeAll(async () => {
    service = await startFixtureService();
  });
  afterAll(async () => {
    await service?.close();
  });
  return {
    get service(): FixtureService {
      if (service === undefined) throw new Error('The fixture service has not been started (use inside tests)');
      return service;
    },
  };
}
