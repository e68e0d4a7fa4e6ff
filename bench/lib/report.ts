/**
 * Assembles BENCHMARKS.md: how it was measured (command, machine, versions, method), the targets and their
 * state, each section's tables, and the hand-written notes in bench/notes.md (profiles, what limits a row).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { MachineInfo } from './machine.js';
import { markdownTable } from './markdown.js';
import type { BenchOptions } from './options.js';
import { renderTargets, type TargetCheck } from './targets.js';

export interface ReportSection {
  readonly title: string;
  readonly body: string;
}

export interface ReportInput {
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly sections: readonly ReportSection[];
  readonly targets: readonly TargetCheck[];
  readonly seconds: number;
}

function header(input: ReportInput): string {
  const { options, machine } = input;
  const { profile } = options;
  const kind = profile.quick
    ? '**Quick smoke run** (`--quick`): tiny counts and one round; the figures are not meaningful and no target is checked.'
    : `Full run: every figure is the median of ${profile.rounds} alternating rounds${
        profile.queueRounds === profile.rounds ? '' : ` (the queue section's rows: ${profile.queueRounds})`
      }.`;
  return `# Benchmarks

_Written by \`npm run bench\` (bench/main.ts); do not edit by hand. Hand-written notes live in bench/notes.md._

${kind}

- Command: \`${options.command}\`
- Date: ${machine.date}; the run took ${input.seconds} s
- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.platform}; load average at start ${machine.loadAverage.join(' / ')}
- Node ${machine.node}; microservices-ts ${machine.toolkitVersion}, measured on the built package (\`dist/\`, \`npm run build\`)
`;
}

function versions(machine: MachineInfo): string {
  return markdownTable(
    ['Package', 'Version'],
    Object.entries(machine.packages).map(([name, version]) => [name, version]),
  );
}

function notes(): string {
  const path = new URL('../notes.md', import.meta.url);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
}

/**
 * The whole report as Markdown.
 * @example writeFileSync('BENCHMARKS.md', renderReport(input));
 */
export function renderReport(input: ReportInput): string {
  const parts = [header(input), '## Targets\n', renderTargets(input.targets, input.options.profile.quick), ''];
  for (const section of input.sections) parts.push(`## ${section.title}\n`, section.body, '');
  parts.push('## Versions\n', versions(input.machine), '');
  const handWritten = notes();
  if (handWritten) parts.push(handWritten, '');
  return `${parts.join('\n').trimEnd()}\n`;
}
