/**
 * Contracts: a route validating a 1 KiB JSON body with zod 4 (the toolkit, built `dist/`) beside raw Fastify
 * validating the same body with the equivalent JSON Schema (Ajv, Fastify's own validator). Each server runs in
 * its own child process (server-child.ts); the load comes from an undici pool here, rounds alternate.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import { z } from 'zod';
import type * as Http from '../../src/http/index.js';
import { BenchChild } from '../lib/child.js';
import type { Profile } from '../lib/options.js';
import { median } from '../lib/stats.js';
import { loadToolkit } from '../lib/toolkit.js';

export interface ContractsRow {
  readonly name: string;
  /** Median requests per second over the rounds; NaN when the row failed. */
  readonly rps: number;
  readonly unavailable?: string;
}

const Item = z.object({ sku: z.string().min(3).max(32), qty: z.number().int().min(1), price: z.number().min(0) });
export const Order = z.object({
  customer: z.string().min(1).max(100),
  email: z.email(),
  note: z.string().max(400),
  items: z.array(Item).min(1).max(50),
});

/** A valid order of about 1 KiB of JSON (998 bytes). */
export function orderBody(): string {
  const items = Array.from({ length: 14 }, (_, i) => ({ sku: `SKU-${1000 + i}`, qty: i + 1, price: 9.5 + i }));
  const order = { customer: 'Ada Lovelace', email: 'ada@example.com', note: 'Leave at the door. '.repeat(19), items };
  return JSON.stringify(order);
}

export async function load(url: string, body: string, connections: number, durationMs: number): Promise<number> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const headers = { 'content-type': 'application/json' };
  let done = 0;
  const until = Date.now() + durationMs;
  const worker = async () => {
    while (Date.now() < until) {
      const res = await pool.request({ method: 'POST', path: '/orders/', headers, body });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} from ${url}`);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (Date.now() - started) / 1000;
  await pool.close();
  return done / seconds;
}

/** A server of one row, listening on an ephemeral loopback port. */
export interface ContractsServer {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

/** The toolkit's route validating the order with zod 4 (the built `dist/`). */
export async function startOurs(): Promise<ContractsServer> {
  const http = (await loadToolkit('http')) as typeof Http;
  const ours = new http.Microservice('bench-contracts').post('/orders/', { schema: { body: Order } }, (req) => ({
    ok: true,
    items: req.data.items.length,
  }));
  const url = await ours.listen({ port: 0 });
  return { name: 'microservices-ts route, zod 4 body schema', url, close: () => ours.close() };
}

/** Raw Fastify validating the same order with the equivalent JSON Schema (Ajv). */
export async function startRaw(): Promise<ContractsServer> {
  const raw = Fastify({ logger: false });
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(Order, { target: 'draft-7' }) as Record<string, unknown>;
  raw.post('/orders/', { schema: { body: jsonSchema } }, async (request) => ({
    ok: true,
    items: (request.body as { items: unknown[] }).items.length,
  }));
  const url = await raw.listen({ port: 0, host: '127.0.0.1' });
  return { name: 'raw Fastify, JSON Schema body (Ajv)', url, close: () => raw.close() };
}

/** The rows' servers, by the name bench/contracts/server-child.ts takes. */
const SERVERS = [
  { child: 'ours', name: 'microservices-ts route, zod 4 body schema' },
  { child: 'raw', name: 'raw Fastify, JSON Schema body (Ajv)' },
] as const;

/**
 * Runs the two rows, alternating rounds. Each server runs in its own child process (LOG_LEVEL=silent,
 * NODE_ENV=production, like the HTTP rows: no access log, no JIT state shared with the other server); the load
 * comes from this process. The log line of each round also gives the server's CPU µs per request.
 */
export async function runContractsSuite(profile: Profile, log: (line: string) => void): Promise<ContractsRow[]> {
  const body = orderBody();
  const children = SERVERS.map((server) => ({
    ...server,
    process: BenchChild.startServer('contracts/server-child.ts', [server.child]),
  }));
  const durationMs = profile.quick ? 300 : 3000;
  const connections = 16;
  const figures = SERVERS.map(() => [] as number[]);
  const failed: (string | undefined)[] = SERVERS.map(() => undefined);
  try {
    const urls: string[] = [];
    for (const [index, child] of children.entries()) {
      try {
        urls.push(`http://127.0.0.1:${await child.process.ready()}`);
      } catch (error) {
        urls.push('');
        failed[index] = `failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    // A fresh process runs cold for the first seconds (JIT): warm both up before the first round.
    for (const [index, url] of urls.entries()) {
      if (!failed[index]) await load(url, body, connections, profile.quick ? 300 : 2000).catch(() => 0);
    }
    for (let round = 0; round < profile.rounds; round++) {
      for (const [index, child] of children.entries()) {
        if (failed[index]) continue;
        try {
          const url = urls[index] ?? '';
          await load(url, body, connections, Math.min(500, durationMs)); // warm-up
          const cpuBefore = child.process.cpuMs();
          const started = Date.now();
          const rps = await load(url, body, connections, durationMs);
          const requests = (rps * (Date.now() - started)) / 1000;
          const cpuUs = ((child.process.cpuMs() - cpuBefore) * 1000) / requests;
          figures[index]?.push(rps);
          log(
            `contracts: ${child.name} round ${round + 1}: ${Math.round(rps)} req/s, ${cpuUs.toFixed(1)} µs server CPU/request`,
          );
        } catch (error) {
          failed[index] = `failed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
    }
  } finally {
    for (const child of children) await child.process.stop();
  }
  return SERVERS.map((server, index) => {
    const reason = failed[index];
    return reason
      ? { name: server.name, rps: Number.NaN, unavailable: reason }
      : { name: server.name, rps: median(figures[index] ?? []) };
  });
}
