import { request } from 'node:http';
import type { Logger } from 'microservices-ts';
import { Microservice } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

describe('close() drain timeout (F8)', () => {
  it('cuts a request still running at drainTimeout and logs that it did', async () => {
    const warnings: string[] = [];
    const ignore = (): void => {};
    const logger: Logger = {
      trace: ignore,
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (message: string) => warnings.push(message),
    };
    const app = new Microservice('drain', { drainTimeout: 300, logger });
    app.get('/hang/', () => new Promise(() => {}));
    const address = await app.listen({ port: 0 });
    const outcome = new Promise<string>((resolve) => {
      const req = request(`${address}/hang/`, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await outcome).toBe('ECONNRESET');
    expect(warnings.some((message) => message.includes('Drain timeout (300 ms)'))).toBe(true);
  });
});
