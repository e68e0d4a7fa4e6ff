/**
 * A Mosquitto of the benchmark's own for the MQTT rows, started fresh for each run on a spare loopback port
 * with the configuration docs/transports/mqtt.md recommends. The shared broker on 1883 keeps Mosquitto's
 * default `max_queued_messages 1000`, past which it drops messages it has already acknowledged to the
 * publisher (a consumer that acks after its handler lets its backlog pass 1000 under load); the rows would
 * then measure losses, not throughput.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOpen } from './port.js';

export const MOSQUITTO_BINARY = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';

/** In the MQTT rows' label: the setting that makes the dedicated broker differ from the shared one. */
export const BENCH_MOSQUITTO_SETTINGS = 'max_queued_messages 0';

const START_TIMEOUT_MS = 10_000;

export interface BenchMosquitto {
  readonly url: string;
  /** Kills the broker (SIGKILL: its data is thrown away) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Why the dedicated Mosquitto cannot run here, or '' when it can.
 * @example mosquittoUnavailable() // '' when /usr/sbin/mosquitto exists
 */
export function mosquittoUnavailable(): string {
  return existsSync(MOSQUITTO_BINARY) ? '' : `no mosquitto binary at ${MOSQUITTO_BINARY} (set MOSQUITTO_PATH)`;
}

function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configuration(port: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'max_queued_messages 0',
    // Started as root, Mosquitto would switch to its own user and could not write the temporary directory.
    'user root',
    'log_dest none',
    '',
  ].join('\n');
}

/**
 * Starts a dedicated Mosquitto and resolves once it accepts connections.
 * @example const broker = await startBenchMosquitto(); try { use(broker.url); } finally { await broker.stop(); }
 */
export async function startBenchMosquitto(): Promise<BenchMosquitto> {
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, configuration(port, dir));
  const child: ChildProcess = spawn(MOSQUITTO_BINARY, ['-c', configFile], { stdio: 'ignore' });
  // A driver that dies (or is interrupted) between start and stop must not leave the broker behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await portOpen(port, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto on port ${port} did not start within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url: `mqtt://127.0.0.1:${port}`, stop };
}
