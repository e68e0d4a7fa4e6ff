/**
 * `node --import tsx bench/http/ab.ts [--rounds 5] [--seconds 3] [--scenarios plain,resource] [--base <dir>]
 * [--http-load wrk|autocannon]` (wrk by default, autocannon when wrk is missing; `AB_SERVERS=fastify,hono,toolkit`
 * picks the servers):
 * a side-by-side run of the toolkit (built `dist/`) and raw Fastify only, alternating the order each round,
 * printing server CPU µs per request and requests per second per round, their medians and the ratios to
 * Fastify. On a shared, noisy machine this is how a hot-path change is judged: both servers see the same
 * noise within a round. `--base <dir>` adds a saved earlier build (a copy of `dist/` kept inside the
 * repository, e.g. `bench/profiles/dist-base`, so that it resolves the same node_modules) as a third row.
 */
import { parseArgs } from 'node:util';
import { BenchChild } from '../lib/child.js';
import { type LoadGenerator, resolveLoadGenerator } from '../lib/load-generator.js';
import { loadScenarios } from './suite.js';
import { SCENARIOS } from './workload.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    scenarios: { type: 'string', default: 'plain,resource' },
    base: { type: 'string' },
    'http-load': { type: 'string' },
  },
});
const load = resolveLoadGenerator(values['http-load'] as LoadGenerator | undefined);
console.log(`load generator: ${load.generator}${load.note ? ` (${load.note})` : ''}`);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const scenarios = SCENARIOS.filter((scenario) => values.scenarios.split(',').includes(scenario.name));
const servers = process.env.AB_SERVERS?.split(',') ?? ['fastify', 'toolkit', ...(values.base ? ['toolkit-base'] : [])];
if (values.base) process.env.BENCH_BASE_DIST = values.base;

const cpu = new Map<string, number[]>();
const rps = new Map<string, number[]>();
const push = (map: Map<string, number[]>, key: string, value: number): void => {
  map.set(key, [...(map.get(key) ?? []), value]);
};
const median = (list: readonly number[]): number => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

for (let round = 0; round < rounds; round++) {
  const order = servers.map((_, index) => servers[(index + round) % servers.length] ?? '');
  for (const server of order) {
    const child = BenchChild.startServer('http/server-child.ts', [server]);
    try {
      const port = await child.ready();
      if (port === undefined) throw new Error('no port');
      const samples = await loadScenarios(
        port,
        scenarios,
        { connections: 50, warmupSeconds: 1, seconds, generator: load.generator },
        child,
      );
      samples.forEach((sample, index) => {
        const key = `${scenarios[index]?.name}\t${server}`;
        push(cpu, key, sample.cpuUsPerRequest);
        push(rps, key, sample.rps);
        console.log(
          `round ${round + 1} ${key}\t${sample.cpuUsPerRequest.toFixed(1)} µs\t${Math.round(sample.rps)} req/s`,
        );
      });
    } finally {
      await child.stop();
    }
  }
}

console.log('\nmedians (ratio to fastify: CPU as fastify µs / ours, req/s as ours / fastify)');
for (const scenario of scenarios) {
  const fastifyCpu = median(cpu.get(`${scenario.name}\tfastify`) ?? []);
  const fastifyRps = median(rps.get(`${scenario.name}\tfastify`) ?? []);
  for (const server of servers) {
    const key = `${scenario.name}\t${server}`;
    const c = median(cpu.get(key) ?? []);
    const r = median(rps.get(key) ?? []);
    console.log(
      `${scenario.name.padEnd(9)} ${server.padEnd(13)} ${c.toFixed(1).padStart(6)} µs (${(fastifyCpu / c).toFixed(2)}x)  ${Math.round(r).toString().padStart(6)} req/s (${(r / fastifyRps).toFixed(2)}x)`,
    );
  }
}
