/**
 * Issue 13 item 5: `debug` alone never puts a stack trace or a thrown message into a response (HTML page or
 * JSON); only `exposeErrors: true` does. Uncaught handler errors and errors thrown by Fastify hooks alike.
 */
import { describe, expect, it } from 'vitest';
import { Microservice, run } from '../../src/http/index.js';

const SECRET = 'db password is hunter2';

function app(options: ConstructorParameters<typeof Microservice>[1]): Microservice {
  const service = new Microservice('errors', { accessLog: false, ...options });
  service.get('/boom/', function boom() {
    throw new Error(SECRET);
  });
  service.fastify.addHook('onRequest', async (request) => {
    if (request.url === '/hook/') throw new Error(SECRET);
  });
  return service;
}

const HTML = { accept: 'text/html' };
const JSON_ACCEPT = { accept: 'application/json' };

describe('stack traces in responses (issue 13 item 5)', () => {
  for (const [label, options] of [
    ['neither', {}],
    ['debug alone', { debug: true }],
  ] as const) {
    it(`${label}: no stack and no thrown message, as HTML and as JSON`, async () => {
      const service = app(options);
      for (const url of ['/boom/', '/hook/']) {
        for (const headers of [HTML, JSON_ACCEPT]) {
          const response = await service.inject({ url, headers });
          expect(response.statusCode).toBe(500);
          expect(response.body).not.toContain('hunter2');
          expect(response.body).not.toMatch(/\n\s+at /);
          expect(response.body).not.toMatch(/at .*\.ts:\d+/);
        }
      }
    });
  }

  it('exposeErrors: the stack is in the JSON detail and on the HTML page', async () => {
    const service = app({ exposeErrors: true });
    for (const url of ['/boom/', '/hook/']) {
      const json = await service.inject({ url, headers: JSON_ACCEPT });
      expect(json.statusCode).toBe(500);
      expect(json.json().detail).toContain(`Error: ${SECRET}`);
      expect(json.json().detail).toMatch(/\n\s+at /);
      const html = await service.inject({ url, headers: HTML });
      expect(html.statusCode).toBe(500);
      expect(html.body).toContain(SECRET);
    }
  });

  it('run(app, { exposeErrors }) turns it on, run(app, { debug }) does not', async () => {
    const service = app({});
    await run(service, { port: 0, debug: true, exitOnSignal: false });
    try {
      expect(service.exposeErrors).toBe(false);
      expect((await service.inject({ url: '/boom/', headers: JSON_ACCEPT })).body).not.toContain('hunter2');
      service.exposeErrors = true;
      expect((await service.inject({ url: '/boom/', headers: JSON_ACCEPT })).json().detail).toContain(SECRET);
    } finally {
      await service.close();
    }
  });
});
