/**
 * Which HTTP load generator drives the server rows: wrk (C, one thread; Debian package `wrk`) or autocannon
 * (Node.js). wrk is the default since it saturates a Node server on a 2-core machine with less CPU of its own
 * (see the load generator table and bench/notes.md); without wrk on the PATH the bench falls back to
 * autocannon and says so in the report.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type LoadGenerator = 'wrk' | 'autocannon';
export const LOAD_GENERATORS: readonly LoadGenerator[] = ['wrk', 'autocannon'];

/** The worker script (under bench/) that runs each generator. */
export const LOAD_WORKERS: Readonly<Record<LoadGenerator, string>> = {
  wrk: 'http/wrk-worker.mjs',
  autocannon: 'http/load-worker.mjs',
};

/**
 * True when a `wrk` executable is on the PATH (or WRK_PATH names one).
 * @example wrkAvailable() // true on a machine with the Debian package installed
 */
export function wrkAvailable(): boolean {
  if (process.env.WRK_PATH) return existsSync(process.env.WRK_PATH);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'wrk')));
}

/**
 * The generator to use for `wanted` (default wrk), and a note for the report when it had to fall back.
 * @example resolveLoadGenerator(undefined) // { generator: 'wrk', note: '' } where wrk is installed
 */
export function resolveLoadGenerator(wanted: LoadGenerator | undefined): { generator: LoadGenerator; note: string } {
  const generator = wanted ?? 'wrk';
  if (generator === 'wrk' && !wrkAvailable()) {
    return {
      generator: 'autocannon',
      note: 'wrk is not installed (Debian package `wrk`), so autocannon generated the HTTP load instead; autocannon may not saturate the server on a small machine (bench/notes.md).',
    };
  }
  return { generator, note: '' };
}
