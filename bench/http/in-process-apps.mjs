// The two apps bench/http/in-process.mjs and in-process-sockets.mjs measure: the toolkit (a built `dist/`
// directory) and raw Fastify, each with the plain route and the marked resource of bench/http/workload.ts.
// They are returned unstarted; each script starts them its own way.
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const RESOURCE_DATA = ['hello', 'world', 42];
export const PLAIN_BODY = { hello: 'world', service: 'bench', items: [1, 2, 3] };
// What the toolkit sends on every negotiated response; the peer sends it too (workload.ts RESPONSE_HEADERS).
const RESPONSE_HEADERS = { vary: 'Accept', 'x-content-type-options': 'nosniff' };
// The Accept header both tools send: ACCEPT=text/html measures the toolkit's browsable page (raw Fastify and
// Hono answer JSON whatever they are asked).
export const ACCEPT = process.env.ACCEPT ?? 'application/json';

/** The toolkit from `dist`; TOOLKIT_OPTIONS (JSON) picks a configuration, e.g. '{"connectionTimeoutMs":0}'. */
export async function toolkitApp(dist) {
  const mod = await import(pathToFileURL(`${dist}/http/index.js`).href);
  const app = new mod.Microservice('bench', JSON.parse(process.env.TOOLKIT_OPTIONS ?? '{}'));
  app.route('/plain/', { methods: ['GET'], endpoint: 'plain' }, () => PLAIN_BODY);
  const marker = new mod.ResourceMarker();
  app.route('/resource/', { methods: ['GET'], endpoint: 'resource', resource: marker }, () => RESOURCE_DATA);
  return app;
}

/** Spins for `us` microseconds: FASTIFY_BUSY_US adds known work to the peer, to calibrate a tool. */
function busy(us) {
  if (us <= 0) return;
  const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < end);
}

/** Raw Fastify doing the same work (`options` for its constructor). */
export async function fastifyApp(options = {}) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, ...options });
  const extra = Number(process.env.FASTIFY_BUSY_US ?? 0);
  app.get('/plain/', async (_request, reply) => {
    reply.headers(RESPONSE_HEADERS);
    return PLAIN_BODY;
  });
  app.get('/resource/', async (_request, reply) => {
    busy(extra);
    reply.headers(RESPONSE_HEADERS);
    return { response: RESOURCE_DATA };
  });
  return app;
}

/**
 * Hono on @hono/node-server doing the same work, as a plain `(request, response)` listener (the adapter's
 * own, which `serve()` also uses): `node:http` is started around it by the socket tool, fed directly by the
 * in-process one.
 */
export async function honoListener() {
  const { Hono } = await import('hono');
  const { getRequestListener } = await import('@hono/node-server');
  const app = new Hono();
  app.get('/plain/', (c) => c.json(PLAIN_BODY, 200, RESPONSE_HEADERS));
  app.get('/resource/', (c) => c.json({ response: RESOURCE_DATA }, 200, RESPONSE_HEADERS));
  return getRequestListener(app.fetch);
}

/**
 * Runs `script --child <which> <path>` in its own process (silent logs, as the bench's children: an access log
 * would be measured otherwise) and resolves with the figure it sends back.
 */
function measureInChild(script, which, path) {
  return new Promise((resolve, reject) => {
    const proc = fork(script, ['--child', which, path], {
      env: { LOG_LEVEL: 'silent', NODE_ENV: 'production', ...process.env },
    });
    proc.once('message', (value) => {
      proc.kill();
      resolve(value);
    });
    proc.once('exit', (code) =>
      code === 0 || code === null ? undefined : reject(new Error(`${which} exited with ${code}`)),
    );
  });
}

/**
 * Measures each of `servers` (name → `fastify` or a dist directory) `rounds` times in alternation with
 * `script`'s child mode, and prints each one's lowest CPU µs per request and its ratio to raw Fastify.
 */
export async function compareServers(script, servers, scenario, rounds) {
  const figures = Object.fromEntries(Object.keys(servers).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, which] of Object.entries(servers)) {
      figures[name].push(await measureInChild(script, which, `/${scenario}/`));
    }
  }
  const best = (name) => Math.min(...figures[name]);
  for (const name of Object.keys(servers)) {
    const ratio = (best('fastify') / best(name)).toFixed(2);
    console.log(
      `${scenario} ${name.padEnd(9)} ${best(name).toFixed(2)} µs CPU/request (fastify/this ${ratio}); rounds ${figures[name].map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
}
