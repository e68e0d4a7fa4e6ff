import type { Logger } from 'microservices-ts';
import { HttpService, Microservice, ResourceMarker } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

describe('TestService.test_service (seed test, ported)', () => {
  it('serves a dict at / and a list at /test with markers', async () => {
    const app = new Microservice('test');
    app.get('/', { resource: new ResourceMarker() }, () => ({ test: 'tested' }));
    app.get('/test', { resource: new ResourceMarker() }, () => ['tested']);
    const root = await app.inject('/');
    expect(root.statusCode).toBe(200);
    expect(root.json().test).toBe('tested');
    expect((await app.inject('/test')).json()).toEqual({ response: ['tested'] });
  });
});

describe('Microservice surface', () => {
  it('is also exported as HttpService and exposes Fastify for plugins', async () => {
    expect(HttpService).toBe(Microservice);
    const app = new Microservice('surface');
    app.fastify.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-plugin', 'yes');
      return payload;
    });
    app.get('/', () => ({}));
    expect((await app.inject('/')).headers['x-plugin']).toBe('yes');
    expect(String(app)).toBe('<microservice: surface>');
  });

  it('rejects a rule without a leading slash and a route without a handler', () => {
    const app = new Microservice('surface');
    expect(() => app.get('x', () => ({}))).toThrow(/must start with "\/"/);
    expect(() => app.route('/x', {} as never)).toThrow(/needs a handler/);
  });

  it('logs one readable line per request in debug mode', async () => {
    const lines: string[] = [];
    const ignore = (): void => {};
    const logger: Logger = {
      trace: ignore,
      debug: ignore,
      warn: ignore,
      error: ignore,
      info: (message: string) => lines.push(message),
    };
    const app = new Microservice('debug', { debug: true, logger });
    app.get('/hello/', () => ({}));
    await app.inject('/hello/?a=1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/hello\/\?a=1 200 \d+\.\d ms$/);
  });
});
