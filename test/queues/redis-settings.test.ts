/** The redis:// URL, the optional ioredis peer and the entry codec: no server needed. */
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../src/queues/transports/redis/codec.js';
import { loadRedisConstructor, retryStrategy } from '../../src/queues/transports/redis/connection.js';
import { parseRedisUrl } from '../../src/queues/transports/redis/settings.js';

describe('redis:// settings', () => {
  it('masks the password in the name and reads the endpoint', () => {
    const settings = parseRedisUrl(new URL('redis://app:s3cret@redis.internal:6380/4'));
    expect(settings.name).toBe('redis://app:**@redis.internal:6380/4');
    expect(settings.endpoint).toMatchObject({
      host: 'redis.internal',
      port: 6380,
      db: 4,
      username: 'app',
      password: 's3cret',
      tls: false,
    });
    expect(parseRedisUrl(new URL('rediss://:pw@h/')).endpoint).toMatchObject({ tls: true, port: 6379, db: 0 });
  });

  it('reads stream tuning from the query, with defaults, and lets options win', () => {
    const defaults = parseRedisUrl(new URL('redis://localhost')).streams;
    expect(defaults).toMatchObject({ prefix: 'ms:', group: 'microservices', minIdleMs: 30_000, leaseRenewMs: 10_000 });
    const tuned = parseRedisUrl(
      new URL('redis://localhost/1?minIdleMs=2000&leaseRenewMs=0&claimIntervalMs=100&group=g&prefix=p:'),
    ).streams;
    expect(tuned).toMatchObject({ prefix: 'p:', group: 'g', minIdleMs: 2000, leaseRenewMs: 0, claimIntervalMs: 100 });
    const fromOptions = parseRedisUrl(new URL('redis://localhost/?minIdleMs=2000'), { streams: { minIdleMs: 900 } });
    expect(fromOptions.streams.minIdleMs).toBe(900);
  });

  it('refuses a non-numeric database or tuning value', () => {
    expect(() => parseRedisUrl(new URL('redis://localhost/queues'))).toThrow(/database number/);
    expect(() => parseRedisUrl(new URL('redis://localhost/?minIdleMs=soon'))).toThrow(/minIdleMs/);
  });

  it('stops reconnecting when reconnect is disabled or the attempts run out', () => {
    expect(retryStrategy({ enabled: false })(1)).toBeNull();
    const bounded = retryStrategy({ maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 40 });
    expect(bounded(1)).toBeGreaterThanOrEqual(5);
    expect(bounded(2)).toBeLessThanOrEqual(20);
    expect(bounded(3)).toBeNull();
  });
});

describe('redis:// optional peer', () => {
  it('names the package to install when ioredis is missing', async () => {
    const missing = async (): Promise<never> => {
      throw Object.assign(new Error("Cannot find package 'ioredis'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(loadRedisConstructor(missing)).rejects.toMatchObject({
      code: 'MS_QUEUE_PEER_MISSING',
      message: expect.stringContaining('npm install ioredis'),
    });
  });

  it('loads the installed ioredis', async () => {
    expect(typeof (await loadRedisConstructor())).toBe('function');
  });
});

describe('redis:// entry codec', () => {
  it('round-trips body, properties, exchange, routing key and expiry', () => {
    const fields = encodeEntry(
      { exchange: 'ex', routingKey: 'a.b' },
      { body: Buffer.from([0, 255, 1]), properties: { contentType: 'application/data', expiration: 500 } },
      1_000,
    );
    const raw = ['1-0', fields.map((field) => (Buffer.isBuffer(field) ? field : Buffer.from(field)))];
    expect(decodeEntry(raw)).toEqual({
      id: '1-0',
      body: Buffer.from([0, 255, 1]),
      properties: { contentType: 'application/data', expiration: 500 },
      exchange: 'ex',
      routingKey: 'a.b',
      expiresAt: 1_500,
    });
  });

  it('delivers an entry written by another program with empty properties, and skips a deleted one', () => {
    const foreign = decodeEntry(['2-0', [Buffer.from('b'), Buffer.from('hi'), Buffer.from('p'), Buffer.from('{')]]);
    expect(foreign).toMatchObject({ body: Buffer.from('hi'), properties: {} });
    expect(decodeEntry(['3-0', null])).toBeUndefined();
  });
});
