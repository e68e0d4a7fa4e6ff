/**
 * Small raw `node:http` servers for the client tests: each records what it received (method, URL, headers,
 * body) and counts TCP connections, so tests assert on what really reached the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

export interface TestServer {
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
  /** Requests whose body was read in full, in arrival order. */
  readonly requests: Recorded[];
  /** Requests that arrived (counted when their headers were in). */
  readonly hits: { count: number };
  /** TCP connections accepted. */
  readonly connections: { count: number };
  close(): Promise<void>;
}

/** Starts a server on an ephemeral loopback port. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const hits = { count: 0 };
  const connections = { count: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    hits.count++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handler(request, response, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections.count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    hits,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Replies with a JSON body (or raw text when `body` is a string and `type` is given). */
export function reply(
  response: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': type, ...headers });
  response.end(text);
}

/** A handler that echoes the request back as JSON under `response`. */
export const echo: Handler = (request, response, body) =>
  reply(response, 200, {
    response: { method: request.method, url: request.url, body, headers: request.headers },
  });
