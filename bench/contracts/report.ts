/** The contracts section of BENCHMARKS.md and its target (ours ≥ 0.8 × raw Fastify with Ajv). */
import { markdownTable } from '../lib/markdown.js';
import { ratioTarget, type TargetCheck } from '../lib/targets.js';
import type { ContractsRow } from './suite.js';

export function renderContractsSection(rows: readonly ContractsRow[]): string {
  const reference = rows[1]?.rps ?? Number.NaN;
  const table = markdownTable(
    ['Server', 'req/s (median)', '× raw Fastify + Ajv'],
    rows.map((row) => [
      row.name,
      row.unavailable ?? Math.round(row.rps).toLocaleString('en-US'),
      Number.isFinite(row.rps) && reference > 0 ? (row.rps / reference).toFixed(2) : '—',
    ]),
  );
  return `POST of a 1 KiB JSON order (14 items) validated before the handler; 16 connections, each server in its own process (log level silent, as in the HTTP rows).\n\n${table}`;
}

export function contractsTargets(rows: readonly ContractsRow[]): TargetCheck[] {
  return [
    ratioTarget(
      'zod 4 body validation ≥ 0.80 × raw Fastify with Ajv',
      rows[0]?.rps ?? Number.NaN,
      rows[1]?.rps ?? Number.NaN,
      0.8,
    ),
  ];
}
