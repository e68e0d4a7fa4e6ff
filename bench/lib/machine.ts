/** The facts a reader needs to judge the figures: machine, load, Node and package versions, date. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** The packages whose versions the report lists (peers, engines and broker clients). */
const PACKAGES = [
  'fastify',
  'express',
  'hono',
  '@hono/node-server',
  'undici',
  'axios',
  'amqplib',
  'ioredis',
  'bullmq',
  'rascal',
  'moleculer',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  'mqtt',
  'autocannon',
  'tsx',
] as const;

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly loadAverage: readonly number[];
  readonly node: string;
  readonly platform: string;
  readonly toolkitVersion: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly date: string;
}

function packageVersion(name: string): string {
  try {
    // Read from node_modules directly: some packages' `exports` do not expose their package.json.
    const path = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
  }
}

/**
 * Describes this machine and the software measured.
 * @example describeMachine().cores // 2
 */
export function describeMachine(): MachineInfo {
  const cpuList = cpus();
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    toolkitVersion: own.version,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    date: new Date().toISOString(),
  };
}
