/**
 * Issue 10 item 1 on Redis (the shared server on :6379): a refused login (WRONGPASS for an unknown ACL user)
 * fails the connect at once with MS_QUEUE_ACCESS_REFUSED instead of ioredis' endless reconnect loop;
 * ready() and run() reject with it, a publish rejects with it, close() settles.
 */
import { describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { redis } from '../helpers/services.js';

const url = 'redis://no-such-user:wrong@127.0.0.1:6379/11';

describe.skipIf((await redis()).skip)('issue 10 item 1 redis: a refused login fails fast', () => {
  it('ready() and run() reject with MS_QUEUE_ACCESS_REFUSED within seconds', async () => {
    const app = new Microservice({ connection: url });
    app.queue('auth-q', () => {});
    const started = Date.now();
    await expect(app.ready()).rejects.toMatchObject({ code: 'MS_QUEUE_ACCESS_REFUSED' });
    await expect(app.run()).rejects.toMatchObject({ code: 'MS_QUEUE_ACCESS_REFUSED' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a publish rejects with the refusal, not a timeout, and close() settles', async () => {
    const client = new Client({ connection: url });
    await expect(client.queue('auth-q').publish('x', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'MS_QUEUE_ACCESS_REFUSED',
    });
    const closing = Date.now();
    await client.close();
    expect(Date.now() - closing).toBeLessThan(2000);
  });
});
