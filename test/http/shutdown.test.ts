import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url));

interface Child {
  readonly child: ChildProcess;
  readonly port: number;
  /** Resolves once the child reports `count` requests in flight. */
  started(count: number): Promise<void>;
}

function startChild(): Promise<Child> {
  return new Promise((resolve, reject) => {
    let startedCount = 0;
    const waiters: { count: number; done: () => void }[] = [];
    const started = (count: number) =>
      new Promise<void>((done) => {
        if (startedCount >= count) done();
        else waiters.push({ count, done });
      });
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let pending = '';
    child.stdout?.on('data', (data: Buffer) => {
      pending += data.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter((item) => item.startsWith('{'))) {
        const message = JSON.parse(line) as { address?: string; started?: number };
        if (message.address) resolve({ child, port: Number(new URL(message.address).port), started });
        if (message.started) {
          startedCount = message.started;
          for (const waiter of waiters.filter((item) => item.count <= startedCount)) waiter.done();
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    setTimeout(() => reject(new Error('child did not start')), 20_000).unref();
  });
}

function get(
  port: number,
  path: string,
  agent: Agent,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An idle keep-alive socket: one request answered, then left open; resolves `closedAt` when the server closes it. */
function idleSocket(port: number): Promise<{ closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now())));
    socket.once('data', () => resolve({ closed }));
    socket.on('connect', () => socket.write('GET /fast/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'));
    setTimeout(() => reject(new Error('no answer')), 5000).unref();
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
});

describe('F8 graceful shutdown on SIGTERM and SIGINT', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: finishes in-flight requests with Connection: close, closes idle sockets, refuses new connections, exits 0',
    async (signal) => {
      const { child, port, started } = await startChild();
      running = child;
      const exited = exitOf(child);
      const idle = await Promise.all(Array.from({ length: 10 }, () => idleSocket(port)));
      const agent = new Agent({ keepAlive: true, maxSockets: 50 });
      const inFlight = Array.from({ length: 50 }, () => get(port, '/slow/', agent));
      await started(50);
      const signalledAt = Date.now();
      child.kill(signal);
      const closedAt = await Promise.all(idle.map((socket) => socket.closed));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await new Promise<boolean>((resolve) => {
        const probe = connect({ port, host: '127.0.0.1' });
        probe.on('error', () => resolve(true));
        probe.on('connect', () => {
          probe.destroy();
          resolve(false);
        });
      });
      const results = await Promise.all(inFlight);
      agent.destroy();
      expect(results.filter((result) => result.status === 200)).toHaveLength(50);
      expect(results.every((result) => result.connection === 'close')).toBe(true);
      // Generous bound: it only has to tell "closed by the drain" from "closed by the 72 s keep-alive timeout".
      expect(Math.max(...closedAt) - signalledAt).toBeLessThan(5000);
      expect(refused).toBe(true);
      expect(await exited).toBe(0);
    },
    30_000,
  );
});
