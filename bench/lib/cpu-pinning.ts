/**
 * On this 2-core machine an HTTP server and its load generator share one core in some rounds and get a core
 * each in others, which made the req/s of one server bimodal within a run (raw Fastify's marked resource:
 * 20,635 / 32,984 / 18,747 req/s, and its CPU per request moving with it). The HTTP, ops and contracts rows
 * therefore pin the server to core 0 and the load generator to core 1 with `taskset` (util-linux) when the
 * machine has two cores or more; `BENCH_PIN=0` turns it off. The load workers read `BENCH_LOAD_CPU`.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

let enabled: boolean | undefined;

/** Whether pinning is on: two cores or more, `taskset` present, and not turned off with `BENCH_PIN=0`. */
export function pinningEnabled(): boolean {
  if (enabled === undefined) {
    enabled = process.env.BENCH_PIN !== '0' && availableParallelism() >= 2 && pinProcess(process.pid, undefined);
  }
  return enabled;
}

/** Pins every thread of `pid` to `cpu` (undefined: only checks that taskset works); false when it cannot. */
export function pinProcess(pid: number, cpu: number | undefined): boolean {
  try {
    const args = cpu === undefined ? ['-p', String(pid)] : ['-a', '-p', '-c', String(cpu), String(pid)];
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes the load workers started from now on pin themselves (and the wrk they spawn) to the load core. */
export function pinLoadWorkers(): void {
  if (pinningEnabled()) process.env.BENCH_LOAD_CPU = String(LOAD_CPU);
}
