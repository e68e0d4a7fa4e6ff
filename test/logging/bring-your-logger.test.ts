/**
 * Issue 13 item 5: a pino logger you pass in receives structured lines from every entry point (HTTP
 * service, HTTP client, queue service, queue client): `service`, `client`, `queue`, `messageId`, `attempt`
 * and `err` as fields, never as `<microservice: …> - <queue: …> -` prefixes.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { Client as HttpClient } from '../../src/client/index.js';
import { Microservice as HttpService } from '../../src/http/index.js';
import { Client as QueueClient, Microservice as QueueService } from '../../src/queues/index.js';
import { pinoLines, settle } from './pino-lines.js';

describe('a pino logger you bring (issue 13 item 5)', () => {
  it('the HTTP service logs an access line per request with structured fields, without debug', async () => {
    const { logger, lines } = pinoLines('info');
    const app = new HttpService('notes', { logger });
    app.get('/notes/<int:id>/', (request) => ({ id: request.params.id }));
    expect(app.debug).toBe(false);
    await app.inject('/notes/4/?full=1');
    await settle();
    const access = lines.filter((line) => line.statusCode !== undefined);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 30,
      service: 'notes',
      method: 'GET',
      url: '/notes/4/?full=1',
      route: '/notes/<int:id>/',
      statusCode: 200,
    });
    expect(typeof access[0]?.responseTimeMs).toBe('number');
    expect(access[0]?.msg).toMatch(/^GET \/notes\/4\/\?full=1 200 \d+\.\d ms$/);
  });

  it('accessLog: false turns the access line off', async () => {
    const { logger, lines } = pinoLines('info');
    const app = new HttpService('quiet', { logger, accessLog: false });
    app.get('/', () => 'ok');
    await app.inject('/');
    await settle();
    expect(lines).toEqual([]);
  });

  it('a handler error is logged at error with the error as err (its stack there, not in msg)', async () => {
    const { logger, lines } = pinoLines('info');
    const app = new HttpService('errors', { logger });
    app.get('/boom/', () => {
      throw new Error('kaput');
    });
    await app.inject('/boom/');
    await settle();
    const error = lines.find((line) => line.level === 50);
    expect(error).toMatchObject({ service: 'errors', msg: 'Exception on /boom/ [GET]', method: 'GET' });
    expect((error?.err as { message?: string } | undefined)?.message).toBe('kaput');
    expect((error?.err as { stack?: string } | undefined)?.stack).toMatch(/kaput\n\s+at /);
  });

  it("Fastify's own logger works as the service logger", async () => {
    const { logger, lines } = pinoLines('info');
    const host = Fastify({ loggerInstance: logger });
    const app = new HttpService('hosted', { logger: host.log });
    app.get('/', () => 'ok');
    await app.inject('/');
    await settle();
    expect(lines.some((line) => line.service === 'hosted' && line.statusCode === 200)).toBe(true);
    await host.close();
  });

  it('the HTTP client logs its per-request line at debug, with the client as a field', async () => {
    const { logger, lines } = pinoLines('trace');
    const app = new HttpService('target', { accessLog: false });
    app.get('/x/', () => 'ok');
    const address = await app.listen({ port: 0 });
    const client = new HttpClient(`${address}/`, { logger, name: 'target-client' });
    try {
      await client.get('x');
    } finally {
      await client.close();
      await app.close();
    }
    await settle();
    const request = lines.find((line) => String(line.msg).startsWith('Request GET'));
    expect(request).toMatchObject({ level: 20, client: 'target-client' });
    expect(request?.msg).toBe(`Request GET for ${address}/x/`);
    expect(lines.filter((line) => line.level >= 30)).toEqual([]);
  });

  it('the queue service logs handler failures with service, queue, messageId, attempt and err', async () => {
    const { logger, lines } = pinoLines('info');
    const broker = `memory://logging-${process.pid}`;
    const worker = new QueueService({ connection: broker, logger, name: 'worker', retry: { maxRetries: 0 } });
    const handlerLines: unknown[] = [];
    worker.queue('jobs', (_payload, context) => {
      context.logger.info('working');
      handlerLines.push(context.attempt);
      throw new Error('job failed');
    });
    const { logger: clientLogger, lines: clientLines } = pinoLines('trace');
    const client = new QueueClient({ connection: broker, logger: clientLogger, name: 'producer' });
    await worker.ready();
    await client.queue('jobs').publish({ n: 1 }, { messageId: 'm-1' });
    await worker.read(1, 30);
    await worker.stop();
    await client.close();
    await settle();
    expect(handlerLines).toEqual([1]);
    const working = lines.find((line) => line.msg === 'working');
    expect(working).toMatchObject({ service: 'worker', queue: 'jobs', messageId: 'm-1', attempt: 1 });
    const failure = lines.find((line) => String(line.msg).startsWith('Something happened in user handler'));
    expect(failure).toMatchObject({ level: 50, service: 'worker', queue: 'jobs', messageId: 'm-1', attempt: 1 });
    expect((failure?.err as { message?: string } | undefined)?.message).toBe('job failed');
    expect(lines.map((line) => String(line.msg)).join('\n')).not.toContain('<queue:');
    expect(lines.map((line) => String(line.msg)).join('\n')).not.toContain('<microservice:');
    expect(clientLines.some((line) => line.client === 'producer')).toBe(true);
  });

  it('a level change on your logger (or setLogging) reaches the lines of parts built before it', async () => {
    const { logger, lines } = pinoLines('info');
    const worker = new QueueService({ connection: `memory://levels-${process.pid}`, logger, name: 'w' });
    worker.queue('a', () => undefined);
    logger.level = 'debug';
    worker.queue('b', () => undefined);
    await worker.stop();
    await settle();
    const added = lines.filter((line) => String(line.msg).startsWith('Rule "'));
    expect(added.map((line) => [line.msg, line.service, line.level])).toEqual([['Rule "b" added!', 'w', 20]]);
  });
});
