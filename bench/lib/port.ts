/** Whether something listens on a loopback port, so a row whose broker is down says so instead of failing. */
import { connect } from 'node:net';

/**
 * Resolves true when a TCP connection to 127.0.0.1:port opens within the timeout.
 * @example await portOpen(5672) // true when RabbitMQ runs
 */
export function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
