/**
 * Does the load generator saturate the server? For raw Fastify and the toolkit, one server process per
 * round is loaded by autocannon and by wrk in turn (the order alternates between rounds), on the plain
 * route and the marked resource, with the same connections and windows as the server rows. A generator that
 * saturates the server keeps the server's CPU near 100 % of its one core; one that does not leaves the
 * server idle part of the time and measures the generator as much as the server.
 */
import { BenchChild } from '../lib/child.js';
import { LOAD_GENERATORS, type LoadGenerator, wrkAvailable } from '../lib/load-generator.js';
import { markdownTable } from '../lib/markdown.js';
import type { Profile } from '../lib/options.js';
import { rotate } from '../lib/rounds.js';
import { formatRate, median } from '../lib/stats.js';
import { describeFailure, type LoadSample, loadScenarios } from './suite.js';
import { SCENARIOS, type ScenarioName } from './workload.js';

const SERVERS = ['fastify', 'toolkit'] as const;
const CHECKED: readonly ScenarioName[] = ['plain', 'resource'];

export interface GeneratorRow {
  readonly server: (typeof SERVERS)[number];
  readonly scenario: ScenarioName;
  readonly generator: LoadGenerator;
  unavailable?: string;
  readonly samples: LoadSample[];
}

/**
 * Runs the generator check (skipped with a note when wrk is missing).
 * @example const rows = await runGeneratorCheck(profile, console.log);
 */
export async function runGeneratorCheck(profile: Profile, log: (line: string) => void): Promise<GeneratorRow[]> {
  const rows: GeneratorRow[] = [];
  // The quick run only checks that it works: one server, one scenario.
  const servers = profile.quick ? SERVERS.filter((server) => server === 'toolkit') : SERVERS;
  const checked = profile.quick ? CHECKED.slice(0, 1) : CHECKED;
  for (const server of servers) {
    for (const scenario of checked) {
      for (const generator of LOAD_GENERATORS) {
        rows.push({
          server,
          scenario,
          generator,
          samples: [],
          ...(generator === 'wrk' && !wrkAvailable() ? { unavailable: 'wrk is not installed' } : {}),
        });
      }
    }
  }
  const scenarios = SCENARIOS.filter((scenario) => checked.includes(scenario.name));
  for (let round = 0; round < profile.rounds; round++) {
    for (const server of rotate(servers, round)) {
      log(`http load generators round ${round + 1}/${profile.rounds}: ${server}`);
      const child = BenchChild.startServer('http/server-child.ts', [server]);
      try {
        const port = await child.ready();
        if (port === undefined) throw new Error('server reported no port');
        for (const generator of rotate(LOAD_GENERATORS, round)) {
          const mine = rows.filter((row) => row.server === server && row.generator === generator);
          if (mine.some((row) => row.unavailable)) continue;
          const load = {
            connections: profile.httpConnections,
            warmupSeconds: profile.httpWarmupSeconds,
            seconds: profile.httpSeconds,
            generator,
          };
          const samples = await loadScenarios(port, scenarios, load, child);
          samples.forEach((sample, index) => {
            mine.find((row) => row.scenario === scenarios[index]?.name)?.samples.push(sample);
          });
        }
      } catch (error) {
        const failure = describeFailure(error);
        log(`  ${server}: ${failure}`);
        for (const row of rows) if (row.server === server && row.samples.length === 0) row.unavailable = failure;
      } finally {
        await child.stop();
      }
    }
  }
  return rows;
}

function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/**
 * The generator table: req/s, server CPU % of a core, CPU µs per request and the generator's CPU.
 * @example renderGeneratorCheck(rows, 50)
 */
export function renderGeneratorCheck(rows: readonly GeneratorRow[], connections: number): string {
  const labels = { fastify: 'raw Fastify 5', toolkit: '**microservices-ts**' } as const;
  const table = rows.map((row) => {
    const head = [labels[row.server], row.scenario, row.generator];
    if (row.unavailable) return [...head, row.unavailable, '', '', '', ''];
    const pick = (metric: (sample: LoadSample) => number): number => median(row.samples.map(metric));
    return [
      ...head,
      formatRate(pick((sample) => sample.rps)),
      fixed(pick((sample) => sample.serverCpuPercent)),
      fixed(
        pick((sample) => sample.cpuUsPerRequest),
        1,
      ),
      fixed(pick((sample) => sample.generatorCpuPercent)),
      row.samples.map((sample) => `${formatRate(sample.rps)} @ ${fixed(sample.serverCpuPercent)} %`).join(' · '),
    ];
  });
  return [
    `### Load generators: does the generator saturate the server?\n`,
    `The same server process loaded by autocannon and by wrk (\`wrk -t1 -c${connections}\`) in turn, alternating which goes first, ${connections} connections. **server CPU %**: the server process's CPU time over the measured window as a share of one core (a Node server uses one core for JavaScript: near 100 % it is saturated, lower means it waited for requests); **generator CPU %**: the load generator's own CPU (autocannon's process; wrk's, from its parent's child CPU times).\n`,
    markdownTable(
      [
        'Server',
        'scenario',
        'generator',
        'req/s (median)',
        'server CPU % of a core',
        'server CPU µs/req',
        'generator CPU %',
        'req/s @ server CPU per round',
      ],
      table,
    ),
    '',
  ].join('\n');
}
