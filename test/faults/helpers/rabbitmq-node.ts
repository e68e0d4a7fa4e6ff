/**
 * A dedicated RabbitMQ node for the AMQP fault tests, so that stopping the broker, killing its
 * connections or raising a memory alarm never disturbs the shared node on :5672 that the other suites
 * use. It runs as `chaos@localhost` on 127.0.0.1:5673 (distribution port 25673, no plugins) with its data
 * under /tmp/rabbit-chaos, starts in a few seconds, and is stopped by the test file that started it.
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { binary, type ServiceCheck } from '../../helpers/services.js';

const run = promisify(execFile);

export const CHAOS_NODE = 'chaos@localhost';
export const CHAOS_PORT = 5673;
const BASE = '/tmp/rabbit-chaos';
const RABBITMQ_SERVER = '/usr/sbin/rabbitmq-server';

/** Whether this machine can run the dedicated node (skips, or fails under REQUIRE_BROKERS=1, when not). */
export function chaosNodeCheck(): ServiceCheck {
  return binary('rabbitmq-server (for a dedicated fault-test node)', RABBITMQ_SERVER);
}

/** The URL of the dedicated node, optionally through another port (a fault proxy) and with a connection name. */
export function chaosUrl(port = CHAOS_PORT, connectionName?: string): string {
  const query = connectionName ? `?connection_name=${encodeURIComponent(connectionName)}` : '';
  return `amqp://guest:guest@127.0.0.1:${port}/${query}`;
}

/** Runs `rabbitmqctl` against the dedicated node. */
export async function chaosCtl(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-n', CHAOS_NODE, '-q', ...args], { timeout: timeoutMs });
  return stdout;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function isUp(): Promise<boolean> {
  // The listener opens late in boot; before it does, rabbitmqctl would only wait.
  if (!(await portOpen(CHAOS_PORT))) return false;
  try {
    await chaosCtl(['await_startup', '--timeout', '5'], 15_000);
    return true;
  } catch {
    return false;
  }
}

function chownRecursive(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path)) {
    const child = `${path}/${entry}`;
    if (statSync(child).isDirectory()) chownRecursive(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

function nodeEnvironment(): NodeJS.ProcessEnv {
  mkdirSync(`${BASE}/log`, { recursive: true });
  writeFileSync(`${BASE}/plugins`, '[].\n');
  // A config of its own: the system one pins the listener to the shared node's :5672.
  writeFileSync(`${BASE}/rabbitmq.conf`, `listeners.tcp.local = 127.0.0.1:${CHAOS_PORT}\nloopback_users = none\n`);
  if (process.getuid?.() === 0) {
    // Started as root, rabbitmq-server drops to the rabbitmq user, which must own its directories.
    const ids = /^rabbitmq:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
    if (ids) chownRecursive(BASE, Number(ids[1]), Number(ids[2]));
  }
  return {
    ...process.env,
    RABBITMQ_NODENAME: CHAOS_NODE,
    RABBITMQ_NODE_PORT: String(CHAOS_PORT),
    RABBITMQ_DIST_PORT: '25673',
    RABBITMQ_MNESIA_BASE: `${BASE}/mnesia`,
    RABBITMQ_LOG_BASE: `${BASE}/log`,
    RABBITMQ_ENABLED_PLUGINS_FILE: `${BASE}/plugins`,
    RABBITMQ_PID_FILE: `${BASE}/pid`,
    RABBITMQ_CONFIG_FILE: `${BASE}/rabbitmq.conf`,
  };
}

/** Starts the dedicated node (or reuses a running one); resolves once it accepts connections. */
export async function startChaosNode(timeoutMs = 90_000): Promise<void> {
  if (await isUp()) return;
  const child = spawn(RABBITMQ_SERVER, ['-detached'], { env: nodeEnvironment(), stdio: 'ignore', detached: true });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (!(await isUp())) {
    if (Date.now() > deadline)
      throw new Error(`the dedicated RabbitMQ node did not start in ${timeoutMs} ms (logs: ${BASE}/log)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Stops the dedicated node entirely (the test file that started it calls this in afterAll). */
export async function stopChaosNode(): Promise<void> {
  await chaosCtl(['stop'], 60_000).catch(() => undefined);
}

/** A broker restart that keeps the VM: durable queues and persistent messages survive, the rest is lost. */
export async function restartChaosApp(downMs = 0): Promise<void> {
  await chaosCtl(['stop_app']);
  if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
  await ensureChaosAppRunning();
}

/** Starts the app if it is stopped, and waits for it; used in `finally` blocks so the broker is always restored. */
export async function ensureChaosAppRunning(): Promise<void> {
  await chaosCtl(['start_app']).catch(() => undefined);
  await chaosCtl(['await_startup', '--timeout', '60'], 90_000);
}

/** Closes every client connection to the dedicated node, as a network fault or an operator would. */
export async function closeAllChaosConnections(): Promise<void> {
  await chaosCtl(['close_all_connections', 'fault test']);
}

/** Consumers, ready and unacknowledged messages per queue on the dedicated node. */
export async function chaosQueueStats(): Promise<Map<string, { consumers: number; ready: number; unacked: number }>> {
  const output = await chaosCtl([
    'list_queues',
    'name',
    'consumers',
    'messages_ready',
    'messages_unacknowledged',
    '--no-table-headers',
  ]);
  const stats = new Map<string, { consumers: number; ready: number; unacked: number }>();
  for (const line of output.split('\n')) {
    const [name, consumers, ready, unacked] = line.trim().split(/\s+/);
    if (!name || consumers === undefined) continue;
    stats.set(name, { consumers: Number(consumers), ready: Number(ready), unacked: Number(unacked) });
  }
  return stats;
}

/** Raises (`0.000001`) or clears (`0.4`) the memory alarm that blocks publishers. */
export async function setChaosMemoryWatermark(fraction: number): Promise<void> {
  await chaosCtl(['set_vm_memory_high_watermark', String(fraction)]);
}
