import { connect, type Socket } from 'node:net';
import { Microservice, reply } from 'microservices-ts/http';
import { afterEach, describe, expect, it } from 'vitest';
import { idleTimeoutOf } from '../../src/http/connections.js';
import { listenOnFreePort } from './raw-http.js';

const BIG = Buffer.alloc(32 * 1024 * 1024, 'x');

function bigApp(options: ConstructorParameters<typeof Microservice>[1] = {}): Microservice {
  const app = new Microservice('connections', options);
  app.get('/big/', () => reply(BIG, 200, { 'content-type': 'application/octet-stream' }));
  app.get('/small/', () => ({ ok: true }));
  return app;
}

function openConnections(app: Microservice): Promise<number> {
  return new Promise((resolve, reject) => {
    app.fastify.server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });
}

async function waitFor(condition: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Sends one keep-alive request and resolves with the response head once it has arrived. */
function ask(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text.slice(0, text.indexOf('\r\n')));
      }
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

const sockets: Socket[] = [];
const apps: Microservice[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const app of apps.splice(0)) await app.close();
});

describe('issue 12: clients that stop reading are timed out', () => {
  it('closes a connection that asked for 32 MiB and never read, after connectionTimeout', async () => {
    const app = bigApp({ connectionTimeout: 400 });
    apps.push(app);
    const port = await listenOnFreePort(app);
    const socket = await connected(port);
    sockets.push(socket);
    socket.on('error', () => {});
    // No 'data' listener: the socket reads a little into its buffer, then the kernel buffers fill.
    socket.write('GET /big/ HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openConnections(app)).toBe(1);
    expect(await waitFor(async () => (await openConnections(app)) === 0, 4000)).toBe(true);
    let received = 0;
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (data: Buffer) => {
      received += data.length;
    });
    await ended;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(BIG.length);
  });

  it('does not cut a client that keeps reading, however slowly, nor a keep-alive one between requests', async () => {
    const app = bigApp({ connectionTimeout: 400, keepAliveTimeout: 5000 });
    apps.push(app);
    const port = await listenOnFreePort(app);
    const socket = await connected(port);
    sockets.push(socket);
    expect(await ask(socket, '/small/')).toBe('HTTP/1.1 200 OK');
    await new Promise((resolve) => setTimeout(resolve, 800)); // idle between requests: keepAliveTimeout applies
    expect(await ask(socket, '/small/')).toBe('HTTP/1.1 200 OK');
    // Reads in bursts with 250 ms pauses: slower than the server writes, but never silent for 400 ms.
    let received = 0;
    socket.on('data', (data: Buffer) => {
      received += data.length;
    });
    socket.write('GET /big/ HTTP/1.1\r\nHost: x\r\n\r\n');
    const deadline = Date.now() + 20_000;
    while (received < BIG.length && Date.now() < deadline && !socket.destroyed) {
      socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 250));
      socket.resume();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(socket.destroyed).toBe(false);
    expect(received).toBeGreaterThan(BIG.length);
  }, 30_000);

  it('cuts a request whose handler sends nothing for connectionTimeout, and serves a quick one on the same server', async () => {
    const app = bigApp({ connectionTimeout: 300 });
    app.get('/silent/', async () => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return { late: true };
    });
    apps.push(app);
    const port = await listenOnFreePort(app);
    const socket = await connected(port);
    sockets.push(socket);
    socket.on('error', () => {});
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    let received = '';
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
    });
    socket.write('GET /silent/ HTTP/1.1\r\nHost: x\r\n\r\n');
    const after = await closed;
    expect(received).toBe('');
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(2500);
    const other = await connected(port);
    sockets.push(other);
    expect(await ask(other, '/small/')).toBe('HTTP/1.1 200 OK');
  });

  it('defaults to a 60 s idle timeout and validates the options', () => {
    const app = bigApp();
    expect(idleTimeoutOf(app.fastify.server)).toBe(60_000);
    expect(idleTimeoutOf(bigApp({ connectionTimeout: 0 }).fastify.server)).toBe(0);
    // The check is one sweep over the connections, not Node's per-socket timer re-armed on every read and write.
    expect(app.fastify.server.timeout).toBe(0);
    expect(() => bigApp({ connectionTimeout: -1 })).toThrow(RangeError);
    expect(() => bigApp({ maxConnections: 0 })).toThrow(RangeError);
  });
});

describe('issue 12: maxConnections caps open sockets', () => {
  it('closes the connection past the cap without an answer and keeps serving the others', async () => {
    const app = bigApp({ maxConnections: 2 });
    apps.push(app);
    const port = await listenOnFreePort(app);
    const first = await connected(port);
    const second = await connected(port);
    sockets.push(first, second);
    expect(await ask(first, '/small/')).toBe('HTTP/1.1 200 OK');
    expect(await ask(second, '/small/')).toBe('HTTP/1.1 200 OK');
    const extra = await connected(port);
    sockets.push(extra);
    extra.on('error', () => {});
    let answer = '';
    extra.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
    });
    const closed = new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    extra.write('GET /small/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await closed).toBe(true);
    expect(answer).toBe('');
    expect(app.fastify.server.maxConnections).toBe(2);
    expect(await ask(first, '/small/')).toBe('HTTP/1.1 200 OK');
  });
});
