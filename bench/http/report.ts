/** The HTTP server section of BENCHMARKS.md and its targets. */

import type { LoadGenerator } from '../lib/load-generator.js';
import { markdownTable } from '../lib/markdown.js';
import { formatMs, formatRate, formatRatio, median } from '../lib/stats.js';
import { ratioTarget, type TargetCheck } from '../lib/targets.js';
import type { HttpImplementationResult, LoadSample } from './suite.js';
import { SCENARIOS, type ScenarioName } from './workload.js';

const LABELS: Readonly<Record<string, string>> = {
  'node:http': 'node:http (bare)',
  fastify: 'raw Fastify 5',
  express: 'Express 5',
  hono: 'Hono on @hono/node-server',
  toolkit: '**microservices-ts**',
};

function medianOf(samples: readonly LoadSample[], pick: (sample: LoadSample) => number): number {
  return median(samples.map(pick));
}

/**
 * The median requests per second of one implementation in one scenario (NaN when not measured).
 * @example medianRps(results, 'toolkit', 'plain')
 */
export function medianRps(
  results: readonly HttpImplementationResult[],
  implementation: string,
  scenario: ScenarioName,
): number {
  const result = results.find((entry) => entry.implementation === implementation);
  if (!result || result.unavailable) return Number.NaN;
  return medianOf(result.samples[scenario], (sample) => sample.rps);
}

function medianCpu(results: readonly HttpImplementationResult[], implementation: string, scenario: ScenarioName) {
  const result = results.find((entry) => entry.implementation === implementation);
  if (!result || result.unavailable) return Number.NaN;
  return medianOf(result.samples[scenario], (sample) => sample.cpuUsPerRequest);
}

/**
 * Renders one table per scenario: median req/s, ratio to raw Fastify, median p50/p99 latency, per-round req/s.
 * @example renderHttpSection(results, 50, { generator: 'wrk', note: '' })
 */
export function renderHttpSection(
  results: readonly HttpImplementationResult[],
  connections: number,
  load: { readonly generator: LoadGenerator; readonly note: string },
): string {
  const generator =
    load.generator === 'wrk'
      ? `wrk (\`wrk -t1 -c${connections}\`, one thread) from its own process`
      : 'autocannon from its own process';
  const parts: string[] = [
    `Load: ${generator}; the server's CPU time is read from /proc around each measured window. Every server serves from the built code its users run (the toolkit from \`dist/\`).${load.note ? ` **${load.note}**` : ''}\n`,
  ];
  for (const scenario of SCENARIOS) {
    const reference = medianRps(results, 'fastify', scenario.name);
    const cpuReference = medianCpu(results, 'fastify', scenario.name);
    const rows = results.map((result) => {
      const label = LABELS[result.implementation] ?? result.implementation;
      if (result.unavailable) return [label, result.unavailable, '', '', '', '', '', ''];
      const samples = result.samples[scenario.name];
      const rps = medianOf(samples, (sample) => sample.rps);
      const cpu = medianOf(samples, (sample) => sample.cpuUsPerRequest);
      return [
        label,
        formatRate(rps),
        formatRatio(rps, reference),
        Number.isFinite(cpu) ? cpu.toFixed(1) : '—',
        formatRatio(cpu, cpuReference),
        formatMs(medianOf(samples, (sample) => sample.p50)),
        formatMs(medianOf(samples, (sample) => sample.p99)),
        samples.map((sample) => formatRate(sample.rps)).join(' / '),
      ];
    });
    parts.push(
      `### ${scenario.label}\n\n\`${scenario.method} ${scenario.path}\`, Accept \`${scenario.headers.accept}\`, ${connections} connections.\n`,
      markdownTable(
        [
          'Server',
          'req/s (median)',
          'vs raw Fastify',
          'server CPU µs/req',
          'CPU vs raw Fastify',
          'p50 ms',
          'p99 ms',
          'req/s per round',
        ],
        rows,
      ),
      '',
    );
  }
  const notes = results.flatMap((result) => result.notes.map((note) => `- ${result.implementation}: ${note}`));
  if (notes.length > 0) parts.push('Problems seen while measuring:\n', ...notes, '');
  return parts.join('\n');
}

/**
 * The HTTP targets: (a) and (b) ≥ 0.90 × raw Fastify, (b) ≥ 0.95 × in requests per second and in server CPU per
 * request (issue 12: rules are real Fastify routes and must cost little more than Fastify itself), (c) ≥ 0.6 × (a)
 * (issue 16: the page at 0.6 × our JSON route).
 * @example httpTargets(results)
 */
export function httpTargets(results: readonly HttpImplementationResult[]): TargetCheck[] {
  const ours = (scenario: ScenarioName): number => medianRps(results, 'toolkit', scenario);
  const fastify = (scenario: ScenarioName): number => medianRps(results, 'fastify', scenario);
  return [
    ratioTarget('HTTP (a) plain route ≥ 0.90 × raw Fastify', ours('plain'), fastify('plain'), 0.9),
    ratioTarget('HTTP (b) marked resource ≥ 0.90 × raw Fastify', ours('resource'), fastify('resource'), 0.9),
    ratioTarget('HTTP (b) marked resource req/s ≥ 0.95 × raw Fastify', ours('resource'), fastify('resource'), 0.95),
    ratioTarget(
      'HTTP (b) marked resource server CPU/req: raw Fastify ÷ ours ≥ 0.95',
      medianCpu(results, 'fastify', 'resource'),
      medianCpu(results, 'toolkit', 'resource'),
      0.95,
    ),
    ratioTarget('HTTP (c) browsable page ≥ 0.6 × our (a)', ours('page'), ours('plain'), 0.6),
  ];
}
