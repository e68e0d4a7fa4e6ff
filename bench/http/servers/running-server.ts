/** What each benchmarked HTTP server module exports: start on 127.0.0.1 with an ephemeral port. */
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export type StartServer = () => Promise<RunningServer>;

/**
 * The port a listening node:http server got from the OS.
 * @example portOf(server.address())
 */
export function portOf(address: string | AddressInfo | null): number {
  if (address === null || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}
