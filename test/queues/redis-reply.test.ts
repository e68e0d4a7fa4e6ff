/**
 * The Redis reply stream of request/reply (issue 14 part 1): bounded in length, expiring after its last
 * reply, read by the client that opened it, and deleted by close().
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTransport } from '../../src/queues/transports/redis/index.js';
import { REPLY_STREAM_MAX_LENGTH, REPLY_STREAM_TTL_MS } from '../../src/queues/transports/redis/reply.js';
import type { IncomingReply, Transport } from '../../src/queues/transports/transport.js';
import { waitFor } from '../conformance/helpers.js';
import { redis } from '../helpers/services.js';

const check = await redis();
const prefix = `redis-reply-${randomBytes(3).toString('hex')}:`;
const url = new URL(`redis://127.0.0.1:6379/12?prefix=${prefix}`);

describe.skipIf(check.skip)('redis:// reply streams', () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis({ host: '127.0.0.1', port: 6379, db: 12 });
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
  });

  async function open(): Promise<Transport> {
    const transport = await createRedisTransport(url, {});
    await transport.connect();
    return transport;
  }

  it('delivers a reply to its inbox, expires the stream after the last reply, and deletes it on close', async () => {
    const caller = await open();
    const responder = await open();
    const got: IncomingReply[] = [];
    const inbox = await (caller.replies as NonNullable<Transport['replies']>)((reply) => void got.push(reply));
    expect(inbox.address.startsWith(`${prefix}reply:`)).toBe(true);
    await responder.reply?.(inbox.address, { body: Buffer.from('"hi"'), properties: { correlationId: 'c1' } });
    await waitFor('the reply', () => got.length === 1);
    expect(got[0]?.body.toString()).toBe('"hi"');
    expect(got[0]?.properties.correlationId).toBe('c1');
    const ttl = await raw.pttl(inbox.address);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(REPLY_STREAM_TTL_MS);
    await caller.close();
    expect(await raw.exists(inbox.address)).toBe(0);
    await responder.close();
  });

  it('keeps a stream nobody reads near its bound', async () => {
    const responder = await open();
    const address = `${prefix}reply:abandoned`;
    const message = { body: Buffer.from('1'), properties: {} };
    for (let sent = 0; sent < REPLY_STREAM_MAX_LENGTH * 2; sent += 100) {
      await Promise.all(Array.from({ length: 100 }, () => responder.reply?.(address, message)));
    }
    const length = await raw.xlen(address);
    // MAXLEN ~ trims whole macro nodes (100 entries by default), so the stream can exceed the bound by one node.
    expect(length).toBeGreaterThanOrEqual(REPLY_STREAM_MAX_LENGTH);
    expect(length).toBeLessThanOrEqual(REPLY_STREAM_MAX_LENGTH + 100);
    await responder.close();
  });
});
