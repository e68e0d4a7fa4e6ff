/** Raw-socket helpers for the hardening tests: send exact bytes, read what the server answers. */
import { connect, type Socket } from 'node:net';
import type { Microservice } from 'microservices-ts/http';

/** Listens on a free loopback port; returns the port. */
export async function listenOnFreePort(app: Microservice): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RawExchange {
  /** Everything the server sent. */
  readonly response: string;
  /** Whether the server closed the connection. */
  readonly closed: boolean;
  readonly status: number | undefined;
}

/**
 * Writes `chunks` (strings or Buffers; a number pauses that many ms) and collects the answer until the server
 * closes or `waitMs` passes after the last write.
 */
export function rawExchange(port: number, chunks: (string | Buffer | number)[], waitMs = 1500): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host: '127.0.0.1' });
    let response = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      resolve({ response, closed, status: status === undefined ? undefined : Number(status) });
    };
    socket.on('data', (data) => {
      response += data.toString('latin1');
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      reject(error);
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (closed) break;
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else socket.write(chunk);
      }
      timer = setTimeout(finish, waitMs);
    });
  });
}
