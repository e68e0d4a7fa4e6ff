/**
 * Child process: the toolkit's HTTP service (built `dist/`) serving the marked resource, with metrics, tracing
 * (no SDK: the API's no-op tracer) and the health routes on (`node server-child.ts on`), or metrics and tracing
 * off (`off`). It tells the driver its port and serves
 * until SIGTERM.
 */

import { RESOURCE_DATA, RESOURCE_PATH } from '../http/workload.js';
import { reportFailure, sendToDriver } from '../lib/child.js';
import { loadToolkit } from '../lib/toolkit.js';

interface HttpModule {
  readonly Microservice: new (
    name: string,
    options?: object,
  ) => {
    route(rule: string, options: object, handler: () => unknown): unknown;
    start(where: { port: number; host: string }): Promise<string>;
    close(): Promise<void>;
  };
  readonly ResourceMarker: new () => object;
}

async function main(): Promise<void> {
  const on = process.argv[2] === 'on';
  const mod = (await loadToolkit('http')) as HttpModule;
  const app = new mod.Microservice('bench', { metrics: on, tracing: on });
  app.route(
    RESOURCE_PATH,
    { methods: ['GET'], endpoint: 'resource', resource: new mod.ResourceMarker() },
    () => RESOURCE_DATA,
  );
  const address = await app.start({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  sendToDriver({ type: 'ready', port: Number(new URL(address).port) });
}

main().catch(reportFailure);
