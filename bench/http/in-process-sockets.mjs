// `npm run build && node bench/http/in-process-sockets.mjs [scenario] [baseline-dist-dir]`: like in-process.mjs,
// the lowest CPU µs per request over many small batches, but over real loopback sockets: each child process
// runs one server and, in the same process, 50 keep-alive connections that send a request as soon as the
// previous response has fully arrived. The figure therefore counts Node's HTTP parser, the socket timers and
// the kernel's work, and the tiny client's cost, which is the same for every server; contention on a busy
// machine only ever adds time, so the lowest batch is the one closest to the server's own cost.

import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { ACCEPT, compareServers, fastifyApp, honoListener, toolkitApp } from './in-process-apps.mjs';

const BATCH = 500;
const BATCHES = 400;
const CONNECTIONS = 50;

async function startToolkit(dist) {
  const app = await toolkitApp(dist);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.fastify.server.address().port;
}

async function startHono() {
  const server = http.createServer(await honoListener());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

async function startFastify() {
  const app = await fastifyApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

/** One keep-alive connection that asks for `path` whenever its previous response is complete. */
function connection(port, path) {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${ACCEPT}\r\n\r\n`);
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  let responseLength = 0;
  let received = 0;
  let onDone = () => {};
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (responseLength === 0) {
      const text = chunk.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head < 0 || !length) throw new Error('cannot read the first response');
      responseLength = head + 4 + Number(length[1]);
    }
    if (received >= responseLength) {
      received -= responseLength;
      onDone();
    }
  });
  return (count) =>
    new Promise((resolve) => {
      let left = count;
      onDone = () => (--left > 0 ? socket.write(request) : resolve());
      socket.write(request);
    });
}

async function child(which, path) {
  if (which.startsWith('variant:')) process.env.TOOLKIT_OPTIONS = process.env.VARIANT_OPTIONS;
  const port =
    which === 'fastify'
      ? await startFastify()
      : which === 'hono'
        ? await startHono()
        : await startToolkit(which.replace(/^variant:/, ''));
  const connections = Array.from({ length: CONNECTIONS }, () => connection(port, path));
  // A batch another process preempted (an involuntary context switch) is dropped: short batches that ran
  // alone on their core are the ones that show this server's own cost on a shared machine.
  const batch = async () => {
    const switches = process.resourceUsage().involuntaryContextSwitches;
    const started = process.cpuUsage();
    await Promise.all(connections.map((send) => send(BATCH / CONNECTIONS)));
    const used = process.cpuUsage(started);
    const preempted = process.resourceUsage().involuntaryContextSwitches > switches;
    return preempted ? undefined : (used.user + used.system) / BATCH;
  };
  for (let i = 0; i < 40; i++) await batch();
  const clean = [];
  for (let i = 0; i < BATCHES; i++) {
    const figure = await batch();
    if (figure !== undefined) clean.push(figure);
  }
  clean.sort((a, b) => a - b);
  // The 10th percentile of the clean batches: steadier than the minimum, still clear of contention.
  const best = clean.length === 0 ? Number.NaN : (clean[Math.floor(clean.length / 10)] ?? Number.NaN);
  if (process.send) process.send(best);
  else {
    console.log(`${best.toFixed(2)} µs CPU/request (${clean.length} of ${BATCHES} batches ran alone)`);
    process.exit(0);
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4]);
} else {
  const scenario = process.argv[2] ?? 'resource';
  const dist = fileURLToPath(new URL('../../dist', import.meta.url));
  const servers = {
    fastify: 'fastify',
    toolkit: dist,
    ...(process.argv[3] ? { baseline: process.argv[3] } : {}),
    // WITH_HONO=1: Hono on @hono/node-server as a third peer.
    ...(process.env.WITH_HONO === '1' ? { hono: 'hono' } : {}),
    // VARIANT_OPTIONS (JSON): the same build with other service options, to price one setting.
    ...(process.env.VARIANT_OPTIONS ? { variant: `variant:${dist}` } : {}),
    // EXTRA_DISTS (name=dir,...): more builds side by side, e.g. experiments kept under bench/profiles/.
    ...Object.fromEntries(
      (process.env.EXTRA_DISTS ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=')),
    ),
  };
  await compareServers(fileURLToPath(import.meta.url), servers, scenario, Number(process.env.ROUNDS ?? 3));
}
