/** The scaling section of BENCHMARKS.md. */
import { markdownTable } from '../../lib/markdown.js';
import { formatRate, formatRatio, median } from '../../lib/stats.js';
import { BROKER_SPECS } from '../brokers.js';
import type { ScalingRow, ScalingSample } from './suite.js';

function medianOf(row: ScalingRow | undefined, pick: (sample: ScalingSample) => number): number {
  if (!row || row.unavailable) return Number.NaN;
  return median(row.samples.map(pick));
}

function formatFixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '—';
}

/**
 * One table: drain rate per broker and process count, with the consumers', the broker's and the machine's CPU.
 * @example renderScalingSection(rows, 100)
 */
export function renderScalingSection(rows: readonly ScalingRow[], prefetch: number): string {
  const table = rows.map((row) => {
    const label = BROKER_SPECS[row.broker].label;
    if (row.unavailable) return [label, String(row.processes), row.unavailable, '', '', '', '', '', ''];
    const single = rows.find((entry) => entry.broker === row.broker && entry.processes === 1);
    const rate = medianOf(row, (sample) => sample.rate);
    return [
      label,
      String(row.processes),
      formatRate(rate),
      formatRatio(
        rate,
        medianOf(single, (sample) => sample.rate),
      ),
      formatFixed(medianOf(row, (sample) => sample.consumerCpuUs)),
      formatFixed(medianOf(row, (sample) => sample.brokerCpuPercent)),
      formatFixed(medianOf(row, (sample) => sample.machineBusyPercent)),
      row.samples.map((sample) => formatRate(sample.rate)).join(' / '),
      row.samples
        .at(-1)
        ?.perProcess.map((count) => count.toLocaleString('en-US'))
        .join(' + ') ?? '',
    ];
  });
  const counts = [...new Set(rows.map((row) => row.messages.toLocaleString('en-US')))].join(', ');
  return [
    `Competing consumers of the toolkit on one queue: N processes, each a \`Microservice\` with one handler and a prefetch of ${prefetch}, connect and declare first; a separate process fills the queue with ${counts} persistent 1 KiB JSON messages through the toolkit's \`Client\`; then all N start at once and the drain is timed from the start signal to the last message any process handled. **consumers' CPU**: user + system time of all N processes over the drain, per message. **broker CPU**: the broker process's CPU over the drain (from /proc, all threads) as a share of one core (100 % = one core busy). **machine busy**: all cores, from /proc/stat, so 100 % means both cores of this machine were busy: from there on, more processes cannot go faster on this machine whatever the toolkit does. The broker is the limit where its CPU share stays near what one of its scheduler threads can use (Redis is single-threaded: ~100 %) while the rate stops growing.`,
    '',
    markdownTable(
      [
        'Broker',
        'consumer processes',
        'drain msg/s (median)',
        'vs 1 process',
        "consumers' CPU µs/msg",
        'broker CPU % of a core',
        'machine busy %',
        'msg/s per round',
        'messages per process (last round)',
      ],
      table,
    ),
    '',
  ].join('\n');
}
