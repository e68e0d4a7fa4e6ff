/** Peer: bare node:http with hand-written routing, negotiation and body parsing (the floor under every framework). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { renderPeerPage } from '../peer-page.js';
import * as work from '../workload.js';
import { portOf, type RunningServer } from './running-server.js';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...work.RESPONSE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > work.BODY_LIMIT_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(size === 0 ? {} : JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  if (req.method === 'GET' && path === work.PLAIN_PATH) return sendJson(res, 200, work.PLAIN_BODY);
  if (req.method === 'GET' && path === work.RESOURCE_PATH) {
    const envelope = { response: work.RESOURCE_DATA };
    if (work.wantsHtml(req.headers.accept)) {
      return send(res, 200, 'text/html; charset=utf-8', renderPeerPage('GET', path, envelope));
    }
    return sendJson(res, 200, envelope);
  }
  if (req.method === 'POST' && path === work.ECHO_PATH) {
    try {
      return sendJson(res, 200, await readJsonBody(req));
    } catch {
      return sendJson(res, 400, { message: 'JSON parse error' });
    }
  }
  sendJson(res, 404, { message: 'Not Found' });
}

/** Starts the node:http peer. */
export async function start(): Promise<RunningServer> {
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: portOf(server.address()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
