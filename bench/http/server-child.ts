/**
 * Child process: starts one HTTP server under test (`node server-child.ts <impl>`), tells the driver its
 * port, and serves until SIGTERM. The load comes from a different process (load-worker.mjs).
 */
import { reportFailure, sendToDriver } from '../lib/child.js';
import type { StartServer } from './servers/running-server.js';

/** The implementations, by the names the driver and the report use. */
const SERVERS: Readonly<Record<string, () => Promise<StartServer>>> = {
  'node:http': async () => (await import('./servers/node-http.js')).start,
  fastify: async () => (await import('./servers/fastify.js')).start,
  express: async () => (await import('./servers/express.js')).start,
  hono: async () => (await import('./servers/hono.js')).start,
  toolkit: async () => (await import('./servers/toolkit.js')).start,
  // A saved earlier build (bench/http/ab.ts --base <dir>), for before/after figures from one run.
  'toolkit-base': async () => {
    const { start } = await import('./servers/toolkit.js');
    return () => start(process.env.BENCH_BASE_DIST);
  },
  // The same build with other service options (JSON in TOOLKIT_VARIANT_OPTIONS), to price one setting.
  'toolkit-variant': async () => {
    const { start } = await import('./servers/toolkit.js');
    return () => start(undefined, JSON.parse(process.env.TOOLKIT_VARIANT_OPTIONS ?? '{}'));
  },
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const load = SERVERS[name];
  if (!load) throw new Error(`unknown server "${name}"`);
  const server = await (await load())();
  process.once('SIGTERM', () => {
    void server.close().finally(() => process.exit(0));
  });
  sendToDriver({ type: 'ready', port: server.port });
}

main().catch(reportFailure);
