/**
 * `npm run build && node --import tsx bench/contracts/in-process.ts [baseline-dist-dir]`: the CPU per request of
 * the contracts rows without sockets, the HTTP parser or a load generator (like bench/http/in-process.mjs, with
 * a POST of the ~1 KiB order body), so that a change of a microsecond shows even on a busy machine. Each server
 * runs in its own process, fed fake IncomingMessage / ServerResponse pairs over a null socket; the figure is the
 * lowest CPU µs per request over many small batches (contention only ever adds time). Variants: raw Fastify
 * with Ajv and without a schema, the toolkit with zod and without a schema; each child also times zod's
 * `safeParse` and Ajv's compiled validator alone on the parsed order, so the validators' own share is known.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Http from '../../src/http/index.js';
import { Order, orderBody } from './suite.js';

const BATCH = 2000;
const BATCHES = Number(process.env.BATCHES ?? 40);
const CONCURRENCY = 16;
const BODY = Buffer.from(orderBody());

type Variant = 'fastify-ajv' | 'fastify-none' | 'toolkit-zod' | 'toolkit-none';
const answer = (items: readonly unknown[]) => ({ ok: true, items: items.length });

async function startToolkit(dist: string, schema: boolean): Promise<http.Server> {
  const mod = (await import(pathToFileURL(`${dist}/http/index.js`).href)) as typeof Http;
  const app = new mod.Microservice('bench-contracts');
  if (schema) app.post('/orders/', { schema: { body: Order } }, (req) => answer(req.data.items));
  else app.post('/orders/', {}, (req) => answer((req.data as { items: unknown[] }).items));
  await app.fastify.ready();
  return app.fastify.server;
}

async function startFastify(schema: boolean): Promise<http.Server> {
  const { default: Fastify } = await import('fastify');
  const { z } = await import('zod');
  const app = Fastify({ logger: false, serverFactory: (handler) => http.createServer(handler) });
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(Order, { target: 'draft-7' }) as Record<string, unknown>;
  app.post('/orders/', schema ? { schema: { body: jsonSchema } } : {}, async (request) =>
    answer((request.body as { items: unknown[] }).items),
  );
  await app.ready();
  return app.server;
}

class NullSocket extends Duplex {
  remoteAddress = '127.0.0.1';
  localAddress = '127.0.0.1';
  localPort = 5000;
  encrypted = false;
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
  override _writev(_chunks: unknown, callback: () => void): void {
    callback();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): void {}
}

function exchange(server: http.Server, socket: NullSocket): Promise<number> {
  return new Promise((resolve) => {
    const request = new http.IncomingMessage(socket as never);
    request.method = 'POST';
    request.url = '/orders/';
    request.httpVersionMajor = 1;
    request.httpVersionMinor = 1;
    request.httpVersion = '1.1';
    request.headers = {
      host: '127.0.0.1:5000',
      accept: '*/*',
      connection: 'keep-alive',
      'content-type': 'application/json',
      'content-length': String(BODY.length),
    };
    request.push(BODY);
    request.push(null);
    request.complete = true;
    const response = new http.ServerResponse(request);
    response.shouldKeepAlive = true;
    response.assignSocket(socket as never);
    response.on('finish', () => {
      response.detachSocket(socket as never);
      resolve(response.statusCode);
    });
    server.emit('request', request, response);
  });
}

function lowestCpuUs(n: number, fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 20; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / n);
  }
  return best;
}

/** zod's and Ajv's own cost on the parsed order, µs per call. */
async function validatorsAlone(): Promise<{ zod: number; ajv: number; parse: number }> {
  const { Ajv } = await import('ajv');
  const { default: addFormats } = await import('ajv-formats');
  const { z } = await import('zod');
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(Order, { target: 'draft-7' }) as Record<string, unknown>;
  // The options Fastify's validator compiler (@fastify/ajv-compiler) uses.
  const ajv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false });
  (addFormats as unknown as (ajv: unknown) => void)(ajv);
  const validate = ajv.compile(jsonSchema);
  const text = BODY.toString('utf8');
  const data = JSON.parse(text) as unknown;
  if (!Order.safeParse(data).success || !validate(structuredClone(data))) throw new Error('the order is invalid');
  return {
    zod: lowestCpuUs(5000, () => Order['~standard'].validate(data)),
    ajv: lowestCpuUs(5000, () => validate(data)),
    parse: lowestCpuUs(5000, () => JSON.parse(text)),
  };
}

async function child(which: Variant, dist: string): Promise<void> {
  const server =
    which === 'fastify-ajv' || which === 'fastify-none'
      ? await startFastify(which === 'fastify-ajv')
      : await startToolkit(dist, which === 'toolkit-zod');
  const sockets = Array.from({ length: CONCURRENCY }, () => new NullSocket());
  const first = sockets[0] as NullSocket;
  if ((await exchange(server, first)) !== 200) throw new Error(`${which}: not 200`);
  const batch = async () => {
    let left = BATCH;
    const started = process.cpuUsage();
    await Promise.all(
      sockets.map(async (socket) => {
        while (left-- > 0) await exchange(server, socket);
      }),
    );
    const used = process.cpuUsage(started);
    return (used.user + used.system) / BATCH;
  };
  for (let i = 0; i < 5; i++) await batch();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < BATCHES; i++) best = Math.min(best, await batch());
  const alone = which === 'toolkit-zod' && !process.env.NO_ALONE ? await validatorsAlone() : undefined;
  process.send?.({ best, alone });
}

function run(
  which: Variant,
  dist: string,
): Promise<{ best: number; alone?: { zod: number; ajv: number; parse: number } }> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', which, dist], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production' },
    });
    proc.once('message', resolve as (message: unknown) => void);
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${which} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as Variant, process.argv[4] ?? '');
    process.exit(0);
  }
  const dist = fileURLToPath(new URL('../../dist', import.meta.url));
  const variants: [string, Variant, string][] = [
    ['raw Fastify + Ajv', 'fastify-ajv', dist],
    ['raw Fastify, no schema', 'fastify-none', dist],
    ['toolkit + zod', 'toolkit-zod', dist],
    ['toolkit, no schema', 'toolkit-none', dist],
  ];
  const base = process.argv[2];
  if (base) variants.push(['baseline toolkit + zod', 'toolkit-zod', base]);
  const only = process.env.VARIANTS?.split(',');
  if (only)
    variants.splice(
      0,
      variants.length,
      ...variants.filter(([, which, where]) => only.includes(where === base ? 'baseline' : which)),
    );
  const figures = new Map<string, number[]>();
  let alone: { zod: number; ajv: number; parse: number } | undefined;
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    for (const [name, which, where] of variants) {
      const result = await run(which, where);
      figures.set(name, [...(figures.get(name) ?? []), result.best]);
      if (result.alone && (alone === undefined || result.alone.zod < alone.zod)) alone = result.alone;
    }
  }
  const best = (name: string) => Math.min(...(figures.get(name) ?? []));
  const reference = figures.has('raw Fastify + Ajv') ? best('raw Fastify + Ajv') : Number.NaN;
  for (const [name] of variants) {
    const rounds = (figures.get(name) ?? []).map((x) => x.toFixed(2)).join(' ');
    console.log(
      `${name.padEnd(24)} ${best(name).toFixed(2)} µs CPU/request (raw+Ajv/this ${(reference / best(name)).toFixed(2)}); rounds ${rounds}`,
    );
  }
  if (alone) {
    console.log(
      `alone, on the parsed order: zod ~standard.validate ${alone.zod.toFixed(2)} µs, Ajv ${alone.ajv.toFixed(2)} µs, JSON.parse ${alone.parse.toFixed(2)} µs`,
    );
  }
}

await main();
