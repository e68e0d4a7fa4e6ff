import { fork } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveLoadGenerator, wrkAvailable } from '../../bench/lib/load-generator.js';

interface Seen {
  readonly method: string | undefined;
  readonly accept: string | undefined;
  readonly body: string;
}

function runWorker(spec: object): Promise<{ type: string; data?: unknown; message?: string }[]> {
  return new Promise((resolve, reject) => {
    const messages: { type: string; data?: unknown; message?: string }[] = [];
    const child = fork('bench/http/wrk-worker.mjs', [JSON.stringify(spec)], { stdio: 'ignore' });
    child.on('message', (message) => {
      messages.push(message as { type: string });
      const type = (message as { type: string }).type;
      if (type === 'result' || type === 'error') child.disconnect();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(messages));
  });
}

describe('bench wrk worker', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it.skipIf(!wrkAvailable())('sends the scenario’s method, headers and body, and reports the window', async () => {
    const seen: Seen[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        if (seen.length < 5) seen.push({ method: request.method, accept: request.headers.accept, body });
        response.setHeader('content-type', 'application/json');
        response.end(body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Brackets and quotes in the body: the generated Lua must quote them safely.
    const body = JSON.stringify({ text: 'a]]b]==]c "q"', n: 1 });
    const messages = await runWorker({
      port,
      connections: 2,
      warmupSeconds: 0,
      seconds: 1,
      scenarios: [
        {
          method: 'POST',
          path: '/echo/',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body,
        },
      ],
    });
    expect(messages.map((message) => message.type)).toEqual(['progress', 'progress', 'result']);
    const [sample] = (messages.at(-1)?.data ?? []) as {
      requests: number;
      rps: number;
      non2xx: number;
      errors: number;
    }[];
    expect(sample?.requests).toBeGreaterThan(0);
    expect(sample?.rps).toBeGreaterThan(0);
    expect(sample?.non2xx).toBe(0);
    expect(sample?.errors).toBe(0);
    expect(seen[0]).toEqual({ method: 'POST', accept: 'application/json', body });
  });

  it('falls back to autocannon, with a note, when wrk is missing', () => {
    const saved = process.env.WRK_PATH;
    process.env.WRK_PATH = '/nonexistent/wrk';
    try {
      const { generator, note } = resolveLoadGenerator(undefined);
      expect(generator).toBe('autocannon');
      expect(note).toMatch(/wrk is not installed/);
      expect(resolveLoadGenerator('autocannon')).toEqual({ generator: 'autocannon', note: '' });
    } finally {
      if (saved === undefined) delete process.env.WRK_PATH;
      else process.env.WRK_PATH = saved;
    }
  });
});
