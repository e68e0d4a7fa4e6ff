/**
 * The seed README's client example end to end: the ported example service (examples/http/hello-world.ts) on an
 * ephemeral port, the ported client example (examples/client/client.ts) against it, and every call giving the
 * result printed in the seed README. The same calls are then checked one by one with the request log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientExample } from '../../examples/client/client.js';
import { createHelloWorld } from '../../examples/http/hello-world.js';
import { Client, ResponseError } from '../../src/client/index.js';
import type { Logger } from '../../src/logging.js';

/** The "Result" block of the seed README, one value per call (Python reprs turned into JSON values). */
const README_RESULTS = [
  'POST something for hello',
  { test: 'tested' },
  'SECOND',
  { test: 'tested' },
  'test',
  {},
  ['one', 2],
  { response: ['one', 2, { test: 'tested' }] },
];

let app: ReturnType<typeof createHelloWorld>;
let endpoint: string;

beforeAll(async () => {
  app = createHelloWorld();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  endpoint = `${address.replace('localhost', '127.0.0.1')}/`;
});
afterAll(async () => {
  await app.close();
});

describe('the seed README client example against the ported example service', () => {
  it('gives the result printed in the README for each of its eight calls', async () => {
    const results: unknown[] = [];
    await runClientExample(endpoint, (result) => results.push(result));
    expect(results).toEqual(README_RESULTS);
  });

  it('requests the URLs of the README log, each announced by a DEBUG line (INFO in the seed; issue 13)', async () => {
    const debug: string[] = [];
    const logger: Logger = { trace() {}, info() {}, warn() {}, error() {}, debug: (message) => debug.push(message) };
    const client = new Client(endpoint, { logger });
    try {
      const second = client.resource('second');
      const oneTwo = second.resource('one', '2');
      expect(await client.get({ key: 'response' })).toBe(README_RESULTS[0]);
      expect(await client.post({ data: { test: 'tested' } })).toEqual(README_RESULTS[1]);
      expect(await second.get({ key: 'response' })).toBe(README_RESULTS[2]);
      expect(await second.post({ data: { test: 'tested' } })).toEqual(README_RESULTS[3]);
      expect(await second.get('test', { key: 'response' })).toBe(README_RESULTS[4]);
      expect(await second.post('test')).toEqual(README_RESULTS[5]);
      expect(await oneTwo.get({ key: 'response' })).toEqual(README_RESULTS[6]);
      expect(await oneTwo.post({ data: { test: 'tested' } })).toEqual(README_RESULTS[7]);
      const prefix = `<client: ${endpoint}> - Request`;
      expect(debug.filter((line) => line.includes(' - Request '))).toEqual([
        `${prefix} GET for ${endpoint}`,
        `${prefix} POST for ${endpoint}`,
        `${prefix} GET for ${endpoint}second/`,
        `${prefix} POST for ${endpoint}second/`,
        `${prefix} GET for ${endpoint}second/test/`,
        `${prefix} POST for ${endpoint}second/test/`,
        `${prefix} GET for ${endpoint}second/one/2/`,
        `${prefix} POST for ${endpoint}second/one/2/`,
      ]);
    } finally {
      await client.close();
    }
  });

  it('takes numbers as path parts: resource("one", 2) reaches the <int:two> route', async () => {
    const client = new Client(endpoint);
    try {
      expect(await client.resource('second', 'one', 2).get({ key: 'response' })).toEqual(['one', 2]);
    } finally {
      await client.close();
    }
  });

  it("applies the seed rules to the service's own 404 and 405 answers", async () => {
    const client = new Client(endpoint, { retry: false });
    try {
      // A 404 without a key is returned as the service's JSON body; with a key it gives null.
      expect(await client.get('nowhere', 'at', 'all')).toHaveProperty('message');
      expect(await client.get('nowhere', { key: 'response' })).toBeNull();
      const wrongMethod = await client.delete('second').catch((error: unknown) => error);
      expect(wrongMethod).toBeInstanceOf(ResponseError);
      expect((wrongMethod as ResponseError).statusCode).toBe(405);
    } finally {
      await client.close();
    }
  });

  it('sends form and multipart bodies that the service parses into request.data', async () => {
    const client = new Client(endpoint);
    try {
      expect(await client.post('second', { data: { test: 'form' }, contentType: 'form' })).toEqual({ test: 'form' });
      const multipart = await client.post('second', { data: { test: 'multi' }, contentType: 'multipart' });
      expect(multipart).toMatchObject({ test: 'multi' });
    } finally {
      await client.close();
    }
  });
});
