// `npm run build && node bench/http/in-process.mjs [scenario] [baseline-dist-dir]` (or `--alloc`, below): the framework's and the
// toolkit's own CPU per request, without sockets, the HTTP parser or a load generator, so that a change of a
// fraction of a microsecond shows even on a busy machine. Each server runs in its own process (sharing one
// would make Fastify's call sites polymorphic and slow the raw peer down), fed fake IncomingMessage /
// ServerResponse pairs over a null socket, straight into its 'request' listener; the figure is the lowest
// CPU µs per request over many small batches (contention only ever adds time). Processes alternate.
import http from 'node:http';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ACCEPT, compareServers, fastifyApp, honoListener, toolkitApp } from './in-process-apps.mjs';

const BATCH = 2000;
const BATCHES = 40;
const CONCURRENCY = 20;

async function startToolkit(dist) {
  const app = await toolkitApp(dist);
  await app.fastify.ready();
  return app.fastify.server;
}

async function startHono() {
  return http.createServer(await honoListener());
}

/** The server `which` names: `fastify`, `hono` or a toolkit build's dist directory. */
function startServer(which) {
  if (which === 'fastify') return startFastify();
  if (which === 'hono') return startHono();
  return startToolkit(which);
}

async function startFastify() {
  const app = await fastifyApp({ serverFactory: (handler) => http.createServer(handler) });
  await app.ready();
  return app.server;
}

class NullSocket extends Duplex {
  remoteAddress = '127.0.0.1';
  localAddress = '127.0.0.1';
  localPort = 5000;
  encrypted = false;
  _read() {}
  _write(_chunk, _encoding, callback) {
    callback();
  }
  _writev(_chunks, callback) {
    callback();
  }
  setTimeout() {
    return this;
  }
  setNoDelay() {}
}

function exchange(server, socket, path) {
  return new Promise((resolve) => {
    const request = new http.IncomingMessage(socket);
    request.method = 'GET';
    request.url = path;
    request.httpVersionMajor = 1;
    request.httpVersionMinor = 1;
    request.httpVersion = '1.1';
    request.headers = { host: '127.0.0.1:5000', accept: ACCEPT, connection: 'keep-alive' };
    request.complete = true;
    request.push(null);
    const response = new http.ServerResponse(request);
    response.shouldKeepAlive = true;
    response.assignSocket(socket);
    response.on('finish', () => {
      response.detachSocket(socket);
      resolve(response.statusCode);
    });
    server.emit('request', request, response);
  });
}

async function child(which, path) {
  const server = await startServer(which);
  const sockets = Array.from({ length: CONCURRENCY }, () => new NullSocket());
  if ((await exchange(server, sockets[0], path)) !== 200) throw new Error(`${which}: not 200`);
  const batch = async () => {
    let left = BATCH;
    const started = process.cpuUsage();
    await Promise.all(
      sockets.map(async (socket) => {
        while (left-- > 0) await exchange(server, socket, path);
      }),
    );
    const used = process.cpuUsage(started);
    return (used.user + used.system) / BATCH;
  };
  for (let i = 0; i < 5; i++) await batch();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < BATCHES; i++) best = Math.min(best, await batch());
  process.send?.(best);
}

/**
 * `node --expose-gc --min-semi-space-size=256 --max-semi-space-size=256 bench/http/in-process.mjs --alloc
 * <fastify|dist-dir> /resource/`: bytes allocated per request. The young generation is made large enough that
 * no collection runs during the count, so the heap's growth is what the requests allocated: a figure that,
 * unlike CPU time, does not move with the machine's load.
 */
async function allocation(which, path) {
  const server = await startServer(which);
  const socket = new NullSocket();
  for (let i = 0; i < 3000; i++) await exchange(server, socket, path);
  const count = 20_000;
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) await exchange(server, socket, path);
  console.log(`${which}: ${((process.memoryUsage().heapUsed - before) / count).toFixed(0)} bytes/request`);
}

if (process.argv[2] === '--alloc') {
  await allocation(process.argv[3], process.argv[4] ?? '/resource/');
  process.exit(0);
} else if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
  process.exit(0);
} else {
  const scenario = process.argv[2] ?? 'resource';
  const dist = fileURLToPath(new URL('../../dist', import.meta.url));
  const servers = {
    fastify: 'fastify',
    toolkit: dist,
    ...(process.argv[3] ? { baseline: process.argv[3] } : {}),
    // WITH_HONO=1: Hono on @hono/node-server as a third peer.
    ...(process.env.WITH_HONO === '1' ? { hono: 'hono' } : {}),
  };
  await compareServers(fileURLToPath(import.meta.url), servers, scenario, 3);
}
