/**
 * Issue 10 item 1 on NATS: a server that refuses the login (authorization violation) fails the connect at
 * once with MS_QUEUE_ACCESS_REFUSED, instead of an endless reconnect loop; ready() and run() reject with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { binary } from '../helpers/services.js';
import { DedicatedNats, NATS_SERVER_PATH } from './helpers/nats-server.js';

const check = binary('nats-server', NATS_SERVER_PATH);

describe.skipIf(check.skip)('issue 10 item 1 nats: a refused login fails fast', () => {
  let server: DedicatedNats;

  beforeAll(async () => {
    server = await DedicatedNats.start(['--user', 'right', '--pass', 'secret']);
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  const wrong = (): string => server.url().replace('nats://', 'nats://right:wrong@');

  it('ready() and run() reject with MS_QUEUE_ACCESS_REFUSED within seconds', async () => {
    const app = new Microservice({ connection: wrong() });
    app.queue('auth-q', () => {});
    const started = Date.now();
    await expect(app.ready()).rejects.toMatchObject({ code: 'MS_QUEUE_ACCESS_REFUSED' });
    await expect(app.run()).rejects.toMatchObject({ code: 'MS_QUEUE_ACCESS_REFUSED' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a publish rejects with the refusal, not a timeout, and close() settles', async () => {
    const client = new Client({ connection: wrong() });
    await expect(client.queue('auth-q').publish('x', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'MS_QUEUE_ACCESS_REFUSED',
    });
    await client.close();
  });

  it('the right password still connects', async () => {
    const client = new Client({ connection: server.url().replace('nats://', 'nats://right:secret@') });
    await client.declareExchange('auth-x', { type: 'direct' });
    await client.close();
  });
});
