/** memory:// specifics beyond the conformance suite: shared brokers by name, the durability warning, expiry. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logging.js';
import { createTransport } from '../../src/queues/transports/index.js';
import type { Delivery } from '../../src/queues/transports/transport.js';
import { waitFor } from '../conformance/helpers.js';

function warnings(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const ignore = (): void => {};
  return { lines, trace: ignore, debug: ignore, info: ignore, error: ignore, warn: (line) => void lines.push(line) };
}

const json = (value: unknown) => ({
  body: Buffer.from(JSON.stringify(value)),
  properties: { contentType: 'application/json' },
});

describe('memory:// transport', () => {
  it('warns once per process that it is not durable, and says so in its capabilities', async () => {
    const first = warnings();
    const second = warnings();
    const a = await createTransport('memory://warn-a', { logger: first });
    const b = await createTransport('memory://warn-b', { logger: second });
    await a.connect();
    await b.connect();
    expect(first.lines.filter((line) => line.includes('not durable'))).toHaveLength(1);
    expect(second.lines).toEqual([]);
    expect(a.capabilities.durable).toBe(false);
    await a.close();
    await b.close();
  });

  it('shares one broker between transports of the same name, and keeps names apart', async () => {
    const one = await createTransport('memory://shared-x');
    const two = await createTransport('memory://shared-x');
    const other = await createTransport('memory://shared-y');
    for (const t of [one, two, other]) await t.connect();
    await one.declareQueue('q');
    await two.publish({ exchange: '', routingKey: 'q' }, json(1));
    expect(await one.purgeQueue('q')).toBe(1);
    await expect(other.publish({ exchange: '', routingKey: 'q' }, json(1))).rejects.toMatchObject({
      code: 'MS_QUEUE_UNROUTABLE',
    });
    for (const t of [one, two, other]) await t.close();
  });

  it('dead-letters a message whose expiration passed before delivery', async () => {
    const t = await createTransport('memory://expiry');
    await t.connect();
    await t.declareQueue('dead');
    await t.declareQueue('q', { deadLetterQueue: 'dead' });
    await t.publish({ exchange: '', routingKey: 'q' }, { body: Buffer.from('"old"'), properties: { expiration: 20 } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const live: Delivery[] = [];
    const dead: Delivery[] = [];
    await t.consume('q', (d) => void live.push(d), { prefetch: 10 });
    await t.consume('dead', (d) => void dead.push(d), { prefetch: 10 });
    await waitFor('the expired message', () => dead.length === 1);
    expect(live).toEqual([]);
    expect(dead[0]?.properties.headers).toMatchObject({ 'x-first-death-reason': 'expired' });
    await t.close();
  });

  it('round-robins between consumers and refuses to redeclare an exchange with another type', async () => {
    const t = await createTransport('memory://round-robin');
    await t.connect();
    await t.declareQueue('q');
    const a: Delivery[] = [];
    const b: Delivery[] = [];
    await t.consume('q', (d) => void a.push(d), { prefetch: 0 });
    await t.consume('q', (d) => void b.push(d), { prefetch: 0 });
    for (let i = 0; i < 10; i += 1) await t.publish({ exchange: '', routingKey: 'q' }, json(i));
    await waitFor('10 deliveries', () => a.length + b.length === 10);
    expect(a).toHaveLength(5);
    expect(b).toHaveLength(5);
    await t.declareExchange('x', { type: 'direct' });
    await expect(t.declareExchange('x', { type: 'fanout' })).rejects.toMatchObject({
      code: 'MS_QUEUE_EXCHANGE_MISMATCH',
    });
    await t.close();
  });
});
