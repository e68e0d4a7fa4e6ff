/** Peer: Hono on @hono/node-server (Web-standard Request/Response adapted to node:http). */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { renderPeerPage } from '../peer-page.js';
import {
  BODY_LIMIT_BYTES,
  ECHO_PATH,
  PLAIN_BODY,
  PLAIN_PATH,
  RESOURCE_DATA,
  RESOURCE_PATH,
  wantsHtml,
} from '../workload.js';
import type { RunningServer } from './running-server.js';

/** Starts the Hono peer. */
export async function start(): Promise<RunningServer> {
  const app = new Hono();
  app.get(PLAIN_PATH, (c) => c.json(PLAIN_BODY));
  app.get(RESOURCE_PATH, (c) => {
    const envelope = { response: RESOURCE_DATA };
    if (wantsHtml(c.req.header('accept'))) return c.html(renderPeerPage('GET', c.req.path, envelope));
    return c.json(envelope);
  });
  app.post(ECHO_PATH, bodyLimit({ maxSize: BODY_LIMIT_BYTES }), async (c) => c.json(await c.req.json()));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
