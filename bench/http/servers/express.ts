/** Peer: Express 5 with its JSON body parser, what many users would pick instead. */
import express from 'express';
import { renderPeerPage } from '../peer-page.js';
import * as work from '../workload.js';
import { portOf, type RunningServer } from './running-server.js';

/** Starts the Express peer. */
export async function start(): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get(work.PLAIN_PATH, (_req, res) => {
    res.set(work.RESPONSE_HEADERS).json(work.PLAIN_BODY);
  });
  app.get(work.RESOURCE_PATH, (req, res) => {
    const envelope = { response: work.RESOURCE_DATA };
    res.set(work.RESPONSE_HEADERS);
    if (work.wantsHtml(req.headers.accept)) {
      res.type('html').send(renderPeerPage('GET', req.originalUrl, envelope));
      return;
    }
    res.json(envelope);
  });
  app.post(work.ECHO_PATH, express.json({ limit: work.BODY_LIMIT_BYTES }), (req, res) => {
    res.set(work.RESPONSE_HEADERS).json(req.body);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: portOf(server.address()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
