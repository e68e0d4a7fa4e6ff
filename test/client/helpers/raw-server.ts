/**
 * A raw TCP server that speaks just enough HTTP/1.1 to stage connection-level faults: it parses requests
 * (headers, Content-Length bodies) off each socket and lets the test decide, per request, what happens on the
 * wire (answer, reset, stall).
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RawRequest {
  readonly method: string;
  readonly target: string;
  readonly body: string;
  /** 0 for the first request on its connection, 1 for the second, ... */
  readonly indexOnSocket: number;
}

export type RawHandler = (socket: Socket, request: RawRequest) => void;

export interface RawServer {
  readonly origin: string;
  readonly requests: RawRequest[];
  readonly connections: { count: number };
  close(): Promise<void>;
}

/** Writes a complete JSON response that keeps the connection open. */
export function answer(socket: Socket, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.write(
    `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n` +
      `connection: keep-alive\r\n\r\n${text}`,
  );
}

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const connections = { count: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const [method = '', target = ''] = head.split('\r\n')[0]?.split(' ') ?? [];
        const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
        buffered = buffered.subarray(end + 4 + length);
        const request = { method, target, body, indexOnSocket: index++ };
        requests.push(request);
        handler(socket, request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
