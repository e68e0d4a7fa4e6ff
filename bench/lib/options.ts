/**
 * The benchmark's command line and the two profiles it selects: the full run (the figures in BENCHMARKS.md)
 * and `--quick`, a smoke run for CI that exercises every row with tiny counts and checks no target.
 */
import { parseArgs } from 'node:util';
import { LOAD_GENERATORS, type LoadGenerator, resolveLoadGenerator } from './load-generator.js';

export type SectionName = 'http' | 'client' | 'queues' | 'scaling' | 'rpc-peers' | 'memory' | 'ops' | 'contracts';
export const ALL_SECTIONS: readonly SectionName[] = [
  'http',
  'client',
  'queues',
  'scaling',
  'rpc-peers',
  'memory',
  'ops',
  'contracts',
];

export interface Profile {
  readonly quick: boolean;
  /** Alternating rounds; every figure in the report is the median over them. */
  readonly rounds: number;
  /**
   * Alternating rounds of the queue section's rows (`--queue-rounds`; never fewer than `rounds`). More than
   * elsewhere: on this machine one broker's publish rate moves 20-60 % from one round to the next for the same
   * row (RabbitMQ confirms a persistent message after its fsync), so the median of five cannot settle a 0.90x
   * line (bench/notes.md, "Nine rounds for the queue rows").
   */
  readonly queueRounds: number;
  /** HTTP load: warm-up and measured seconds per scenario, connections. */
  readonly httpWarmupSeconds: number;
  readonly httpSeconds: number;
  readonly httpConnections: number;
  /** The HTTP load generator (`--http-load`; default wrk, autocannon when wrk is missing). */
  readonly httpLoad: LoadGenerator;
  /** Why the generator is not the one asked for (empty when it is). */
  readonly httpLoadNote: string;
  /** HTTP client: measured seconds per concurrency level. */
  readonly clientSeconds: number;
  readonly clientConcurrency: readonly number[];
  /** Queues: messages per run and how many publishes may await their confirm at once. */
  readonly queueMessages: number;
  readonly memoryTransportMessages: number;
  readonly publishWindow: number;
  readonly prefetch: number;
  /** Scaling table: how many competing consumer processes to time (the quick run only checks that it works). */
  readonly scalingProcesses: readonly number[];
  /** Memory rows: total requests and messages, and how many RSS samples to take along the way. */
  readonly rssRequests: number;
  readonly rssMessages: number;
  readonly rssSamples: number;
}

export interface BenchOptions {
  readonly profile: Profile;
  readonly out: string;
  readonly sections: readonly SectionName[];
  /** The command line as typed, recorded in the report. */
  readonly command: string;
}

const FULL: Profile = {
  quick: false,
  rounds: 3,
  queueRounds: 9,
  httpWarmupSeconds: 2,
  httpSeconds: 5,
  httpConnections: 50,
  httpLoad: 'wrk',
  httpLoadNote: '',
  clientSeconds: 5,
  clientConcurrency: [1, 50],
  queueMessages: 20_000,
  memoryTransportMessages: 500_000,
  publishWindow: 100,
  prefetch: 100,
  scalingProcesses: [1, 2, 4],
  rssRequests: 1_000_000,
  rssMessages: 1_000_000,
  rssSamples: 10,
};

const QUICK: Profile = {
  quick: true,
  rounds: 1,
  queueRounds: 1,
  httpWarmupSeconds: 0.2,
  httpSeconds: 0.5,
  httpConnections: 50,
  httpLoad: 'wrk',
  httpLoadNote: '',
  clientSeconds: 0.5,
  clientConcurrency: [1, 50],
  queueMessages: 1_000,
  memoryTransportMessages: 20_000,
  publishWindow: 100,
  prefetch: 100,
  scalingProcesses: [2],
  rssRequests: 20_000,
  rssMessages: 50_000,
  rssSamples: 4,
};

/**
 * Reads `--quick`, `--out <path>`, `--rounds <n>`, `--queue-rounds <n>`, `--only <section,...>` and
 * `--http-load wrk|autocannon`.
 * @example parseBenchOptions(['--quick', '--out', '/tmp/b.md']).profile.quick // true
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'BENCHMARKS.md' },
      rounds: { type: 'string' },
      'queue-rounds': { type: 'string' },
      only: { type: 'string' },
      'http-load': { type: 'string' },
    },
    strict: true,
  });
  const base = values.quick ? QUICK : FULL;
  const rounds = positiveInteger('--rounds', values.rounds, base.rounds);
  const queueRounds = Math.max(rounds, positiveInteger('--queue-rounds', values['queue-rounds'], base.queueRounds));
  const sections = values.only === undefined ? ALL_SECTIONS : parseSections(values.only);
  const wanted = values['http-load'];
  if (wanted !== undefined && !LOAD_GENERATORS.includes(wanted as LoadGenerator)) {
    throw new Error(`--http-load must be one of ${LOAD_GENERATORS.join(', ')}`);
  }
  const load = resolveLoadGenerator(wanted as LoadGenerator | undefined);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  return {
    profile: { ...base, rounds, queueRounds, httpLoad: load.generator, httpLoadNote: load.note },
    out: values.out,
    sections,
    command,
  };
}

function positiveInteger(flag: string, given: string | undefined, otherwise: number): number {
  if (given === undefined) return otherwise;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer`);
  return value;
}

function parseSections(list: string): SectionName[] {
  const wanted = list.split(',').map((name) => name.trim());
  for (const name of wanted) {
    if (!ALL_SECTIONS.includes(name as SectionName)) {
      throw new Error(`--only: unknown section "${name}" (known: ${ALL_SECTIONS.join(', ')})`);
    }
  }
  return wanted as SectionName[];
}
