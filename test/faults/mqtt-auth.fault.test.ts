/**
 * Issue 10 item 1 on MQTT: a broker that refuses the login (CONNACK "not authorized" / "bad user name or
 * password") fails the connect at once with MS_QUEUE_ACCESS_REFUSED, instead of an endless reconnect loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Microservice } from '../../src/queues/index.js';
import { binary } from '../helpers/services.js';
import { DedicatedMosquitto, MOSQUITTO_PATH } from './helpers/mqtt-broker.js';

const check = binary('mosquitto', MOSQUITTO_PATH);

describe.skipIf(check.skip)('issue 10 item 1 mqtt: a refused login fails fast', () => {
  let broker: DedicatedMosquitto;

  beforeAll(async () => {
    broker = await DedicatedMosquitto.start({ allowAnonymous: false });
  });

  afterAll(async () => {
    await broker?.cleanup();
  });

  const wrong = (): string => broker.url().replace('mqtt://', 'mqtt://someone:wrong@');

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
});
