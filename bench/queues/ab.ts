/**
 * `node --import tsx bench/queues/ab.ts <broker> [--rounds 5] [--messages 20000] [--base <dir>] [--profile]`:
 * a side-by-side run of one broker's queue workload (bench/queues/workload.ts) by its raw client and the
 * toolkit (built `dist/`), alternating the order each round, each run in a fresh process (and, for MQTT, on a
 * fresh dedicated Mosquitto), printing msg/s and the process's CPU µs per message for publish and consume per
 * round, their medians and the ratios to raw. `--base <dir>` adds an earlier build (a copy of `dist/` kept
 * inside the repository, e.g. `bench/profiles/dist-base`, so that it resolves the same node_modules) as
 * `toolkit-base`. `--profile` runs every child under `node --cpu-prof` (one directory per run under
 * bench/profiles/; the largest file is the main thread's), read with bench/queues/profile-window.mjs.
 * `AB_IMPLS=raw,toolkit` picks the rows; `AB_NODE_FLAGS` (space-separated) passes node flags to every child
 * when `--profile` is not given (e.g. `--max-semi-space-size=16`).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchChild } from '../lib/child.js';
import { median } from '../lib/stats.js';
import { BROKER_SPECS, type BrokerName } from './brokers.js';
import type { QueueRunResult, QueueRunSpec } from './queue-child.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '5' },
    messages: { type: 'string', default: '20000' },
    base: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const broker = (positionals[0] ?? 'nats') as BrokerName;
const spec = BROKER_SPECS[broker];
if (!spec) throw new Error(`unknown broker ${broker}`);
const rounds = Number(values.rounds);
const messages = Number(values.messages);
const impls = process.env.AB_IMPLS?.split(',') ?? [
  ...(spec.raw ? ['raw'] : []),
  'toolkit',
  ...(values.base ? ['toolkit-base'] : []),
];
const profileDir = fileURLToPath(new URL('../profiles/', import.meta.url));
if (values.profile) mkdirSync(profileDir, { recursive: true });

async function runOnce(impl: string): Promise<QueueRunResult> {
  const dedicated = spec.dedicated ? await spec.dedicated() : undefined;
  try {
    const run: QueueRunSpec = {
      broker,
      implementation: impl === 'toolkit-base' ? 'toolkit' : (impl as QueueRunSpec['implementation']),
      messages,
      window: 100,
      prefetch: 100,
      rssSamples: 0,
      ...(dedicated ? { url: dedicated.url } : {}),
    };
    if (impl === 'toolkit-base' && values.base) process.env.BENCH_TOOLKIT_DIST = resolve(values.base);
    else delete process.env.BENCH_TOOLKIT_DIST;
    // One directory per run: tsx's loader thread writes a profile of its own beside the main thread's.
    const flags = values.profile
      ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${profileDir}${broker}-${impl}-${Date.now()}`]
      : (process.env.AB_NODE_FLAGS?.split(' ').filter(Boolean) ?? []);
    const child = BenchChild.start('queues/queue-child.ts', [JSON.stringify(run)], flags);
    try {
      const result = (await child.result(120_000 + messages * 2)) as QueueRunResult;
      // The child exits by itself after its result; under --cpu-prof it writes the profile first.
      if (child.process.exitCode === null) {
        await new Promise((resolve) => {
          child.process.once('exit', resolve);
          setTimeout(resolve, 30_000).unref();
        });
      }
      return result;
    } finally {
      await child.stop(10_000);
    }
  } finally {
    await dedicated?.stop();
  }
}

/** The broker's CPU per message, publish / consume, where the child could read it. */
function brokerCpu(publish: number, consume: number, unit: string): string {
  return Number.isFinite(publish) ? ` | broker ${publish.toFixed(0)} / ${consume.toFixed(0)} ${unit}` : '';
}

const results = new Map<string, QueueRunResult[]>();
for (let round = 0; round < rounds; round++) {
  const order = impls.map((_, index) => impls[(index + round) % impls.length] ?? '');
  for (const impl of order) {
    const result = await runOnce(impl);
    results.set(impl, [...(results.get(impl) ?? []), result]);
    console.log(
      `round ${round + 1} ${impl.padEnd(13)} publish ${Math.round(result.publishRate)} msg/s ${result.publishCpuUs.toFixed(1)} µs` +
        ` | consume ${Math.round(result.consumeRate)} msg/s ${result.consumeCpuUs.toFixed(1)} µs` +
        brokerCpu(result.brokerPublishCpuUs, result.brokerConsumeCpuUs, 'µs'),
    );
  }
}
const pick = (impl: string, key: keyof QueueRunResult): number =>
  median((results.get(impl) ?? []).map((result) => result[key] as number));
const raw = impls.includes('raw') ? 'raw' : undefined;
console.log(`\n${broker} ${spec.mode}, ${messages} messages, median of ${rounds}:`);
for (const impl of impls) {
  const ratio = (key: keyof QueueRunResult): string =>
    raw ? ` (${(pick(impl, key) / pick(raw, key)).toFixed(2)}x)` : '';
  console.log(
    `${impl.padEnd(13)} publish ${Math.round(pick(impl, 'publishRate'))} msg/s${ratio('publishRate')} ${pick(impl, 'publishCpuUs').toFixed(1)} µs/msg` +
      ` | consume ${Math.round(pick(impl, 'consumeRate'))} msg/s${ratio('consumeRate')} ${pick(impl, 'consumeCpuUs').toFixed(1)} µs/msg` +
      brokerCpu(pick(impl, 'brokerPublishCpuUs'), pick(impl, 'brokerConsumeCpuUs'), 'µs/msg'),
  );
}
process.exit(0);
