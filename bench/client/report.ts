/** The HTTP client section of BENCHMARKS.md and its targets. */
import { markdownTable } from '../lib/markdown.js';
import { formatMs, formatRate, formatRatio, median } from '../lib/stats.js';
import { ratioTarget, type TargetCheck } from '../lib/targets.js';
import type { ClientResult } from './suite.js';

const LABELS: Readonly<Record<string, string>> = {
  undici: 'raw `undici.request`',
  'undici-pool': 'raw undici `Pool.request`',
  fetch: 'global `fetch`',
  axios: 'axios',
  toolkit: '**microservices-ts** `Client`',
};

function medianRps(results: readonly ClientResult[], implementation: string, concurrency: number): number {
  const result = results.find((entry) => entry.implementation === implementation);
  if (!result || result.unavailable) return Number.NaN;
  return median((result.samples.get(concurrency) ?? []).map((sample) => sample.rps));
}

/**
 * One table per concurrency level: median calls/s, ratio to raw undici, median p50/p99, per-round figures.
 * @example renderClientSection(results, [1, 50])
 */
export function renderClientSection(results: readonly ClientResult[], levels: readonly number[]): string {
  const parts = [
    'Each call is `GET /plain/` on one fixed node:http server (its own process) and parses the JSON body; latency is measured around each call in the client process.\n',
  ];
  for (const concurrency of levels) {
    const reference = medianRps(results, 'undici', concurrency);
    const rows = results.map((result) => {
      const label = LABELS[result.implementation] ?? result.implementation;
      if (result.unavailable) return [label, result.unavailable, '', '', '', ''];
      const samples = result.samples.get(concurrency) ?? [];
      const rps = median(samples.map((sample) => sample.rps));
      return [
        label,
        formatRate(rps),
        formatRatio(rps, reference),
        formatMs(median(samples.map((sample) => sample.p50))),
        formatMs(median(samples.map((sample) => sample.p99))),
        samples.map((sample) => formatRate(sample.rps)).join(' / '),
      ];
    });
    parts.push(
      `### Concurrency ${concurrency}\n`,
      markdownTable(['Client', 'calls/s (median)', 'vs raw undici', 'p50 ms', 'p99 ms', 'calls/s per round'], rows),
      '',
    );
  }
  return parts.join('\n');
}

/**
 * The client targets at every concurrency level: ≥ 0.9 × raw undici and ≥ 2 × axios.
 * @example clientTargets(results, [1, 50])
 */
export function clientTargets(results: readonly ClientResult[], levels: readonly number[]): TargetCheck[] {
  return levels.flatMap((concurrency) => {
    const ours = medianRps(results, 'toolkit', concurrency);
    return [
      ratioTarget(`Client c=${concurrency} ≥ 0.9 × raw undici`, ours, medianRps(results, 'undici', concurrency), 0.9),
      ratioTarget(
        `Client c=${concurrency} ≥ 0.9 × raw undici Pool (informational)`,
        ours,
        medianRps(results, 'undici-pool', concurrency),
        0.9,
      ),
      ratioTarget(`Client c=${concurrency} ≥ 2 × axios`, ours, medianRps(results, 'axios', concurrency), 2),
    ];
  });
}
