/** The memory section of BENCHMARKS.md: RSS along the run, and how much it still grew in the second half. */
import { markdownTable } from '../lib/markdown.js';
import { formatMiB } from '../lib/stats.js';
import type { RssPoint, RssSeries } from './suite.js';

function compactCount(count: number): string {
  if (count >= 1_000_000) return `${(count / 1_000_000).toFixed(count % 1_000_000 === 0 ? 0 : 2)}M`;
  if (count >= 1000) return `${Math.round(count / 1000)}k`;
  return String(count);
}

function secondHalfGrowth(points: readonly RssPoint[]): string {
  const last = points.at(-1);
  const middle = points[Math.floor((points.length - 1) / 2)];
  if (!last || !middle || last === middle) return '—';
  const delta = last.bytes - middle.bytes;
  return `${delta >= 0 ? '+' : ''}${formatMiB(delta)} MiB (${compactCount(middle.count)} → ${compactCount(last.count)})`;
}

/**
 * Renders the RSS series as a table.
 * @example renderMemorySection(series, false)
 */
export function renderMemorySection(series: readonly RssSeries[], quick: boolean): string {
  const rows = series.map((entry) => {
    const what = `${entry.total.toLocaleString('en-US')} ${entry.unit}`;
    if (entry.unavailable) return [entry.label, what, entry.unavailable, '', ''];
    const along = entry.points.map((point) => `${compactCount(point.count)}: ${formatMiB(point.bytes)}`).join(', ');
    const peak = Math.max(...entry.points.map((point) => point.bytes));
    return [entry.label, what, along, formatMiB(peak), secondHalfGrowth(entry.points)];
  });
  const scale = quick
    ? '**Quick run: far fewer requests and messages than the full run’s 1M each, so these rows only show the harness works.**\n\n'
    : '';
  return `${scale}RSS of the process under test (server: read from /proc by the driver while autocannon drives the plain route with 50 connections; queues: sampled inside the process as messages are consumed). A bounded process levels off: its growth over the second half stays near zero.\n\n${markdownTable(
    ['Process', 'Run', 'RSS MiB after N', 'Peak MiB', 'Growth over the second half'],
    rows,
  )}\n`;
}
