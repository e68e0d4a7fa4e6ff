/** Peer: Hono on @hono/node-server (Web-standard Request/Response adapted to node:http). */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { renderPeerPage } from '../peer-page.js';
import * as work from '../workload.js';
import type { RunningServer } from './running-server.js';

/** Starts the Hono peer. */
export async function start(): Promise<RunningServer> {
  const app = new Hono();
  app.get(work.PLAIN_PATH, (c) => c.json(work.PLAIN_BODY, 200, work.RESPONSE_HEADERS));
  app.get(work.RESOURCE_PATH, (c) => {
    const envelope = { response: work.RESOURCE_DATA };
    if (work.wantsHtml(c.req.header('accept'))) {
      return c.html(renderPeerPage('GET', c.req.path, envelope), 200, work.RESPONSE_HEADERS);
    }
    return c.json(envelope, 200, work.RESPONSE_HEADERS);
  });
  app.post(work.ECHO_PATH, bodyLimit({ maxSize: work.BODY_LIMIT_BYTES }), async (c) =>
    c.json(await c.req.json(), 200, work.RESPONSE_HEADERS),
  );
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
