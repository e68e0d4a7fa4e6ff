/**
 * Issue 10 item 1 at the transport level: with the broker unreachable (a dead port), connect() keeps
 * retrying, and close() must end it promptly: both settle within a second or two, nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { createTransport } from '../../src/queues/transports/index.js';
import { freePort, sleep } from '../conformance/helpers.js';

describe('issue 10 item 1: close() ends a connect to an unreachable broker', () => {
  for (const scheme of ['redis', 'nats', 'mqtt']) {
    it(`${scheme}://127.0.0.1:<dead port>`, async () => {
      const transport = await createTransport(`${scheme}://127.0.0.1:${await freePort()}/`, {
        reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 },
      });
      const connecting = transport.connect();
      connecting.catch(() => {});
      await sleep(500);
      const started = Date.now();
      await transport.close();
      await expect(connecting).rejects.toBeDefined();
      expect(Date.now() - started).toBeLessThan(3000);
    });
  }
});
