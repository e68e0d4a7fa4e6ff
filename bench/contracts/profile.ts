/**
 * `npm run build && node --import tsx bench/contracts/profile.ts [seconds]`: profiles the two servers of the
 * contracts rows under the same load, alternating one-second slices (the V8 profiler in the server's process, started
 * after the warm-up; the undici load from this process) and prints, side by side, the server CPU per request
 * and where it went, in µs per request: by function (self time) and by file or package. The profiles are
 * kept under bench/profiles/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchChild } from '../lib/child.js';
import { selfTimes } from '../profile-summary.js';
import { load, orderBody } from './suite.js';

interface Measured {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly requests: number;
  readonly file: string;
}

/**
 * Profiles both servers under the same conditions: both children run at once, and the load alternates between
 * them in one-second slices, so a busy neighbour on the machine weighs on both alike.
 */
async function measure(servers: readonly string[], seconds: number, dir: string, intervalUs: number) {
  const children = servers.map((server) => {
    const file = join(dir, `contracts-${server}-${Date.now()}.cpuprofile`);
    return { file, child: BenchChild.start('contracts/server-child.ts', [server, file, String(intervalUs)]) };
  });
  try {
    const body = orderBody();
    const urls: string[] = [];
    for (const { child } of children) urls.push(`http://127.0.0.1:${await child.ready()}`);
    for (const url of urls) await load(url, body, 16, 2000);
    for (const { child } of children) {
      child.send({ type: 'start' });
      await child.next(10_000);
    }
    const requests = children.map(() => 0);
    const cpuMs = children.map(() => 0);
    const wallMs = children.map(() => 0);
    for (let slice = 0; slice < seconds; slice++) {
      for (const [index, { child }] of children.entries()) {
        const cpuBefore = child.cpuMs();
        const started = Date.now();
        const rps = await load(urls[index] ?? '', body, 16, 1000);
        const elapsedMs = Date.now() - started;
        requests[index] = (requests[index] ?? 0) + (rps * elapsedMs) / 1000;
        wallMs[index] = (wallMs[index] ?? 0) + elapsedMs;
        cpuMs[index] = (cpuMs[index] ?? 0) + child.cpuMs() - cpuBefore;
      }
    }
    const measured: Measured[] = [];
    for (const [index, { child, file }] of children.entries()) {
      child.send({ type: 'stop' });
      await child.result(30_000);
      const count = requests[index] ?? 0;
      measured.push({
        rps: (count * 1000) / (wallMs[index] ?? 1),
        cpuUsPerRequest: ((cpuMs[index] ?? 0) * 1000) / count,
        requests: count,
        file,
      });
    }
    return measured;
  } finally {
    for (const { child } of children) await child.stop(10_000);
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const intervalUs = Number(process.env.PROFILE_INTERVAL_US ?? 250);
  const top = Number(process.env.PROFILE_TOP ?? 30);
  const dir = fileURLToPath(new URL('../profiles/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const servers = ['ours', 'raw'] as const;
  const runs = await measure(servers, seconds, dir, intervalUs);
  for (const [index, run] of runs.entries()) {
    console.log(
      `${servers[index]}: ${Math.round(run.rps)} req/s, ${run.cpuUsPerRequest.toFixed(1)} µs CPU/request (/proc), profile ${run.file}`,
    );
  }
  const tables = runs.map((run) => selfTimes(run.file, run.requests));
  for (const key of ['byFunction', 'byFile'] as const) {
    const names = new Set<string>();
    for (const table of tables) {
      for (const [name] of [...table[key]].sort((a, b) => b[1] - a[1]).slice(0, top)) names.add(name);
    }
    const rows = [...names]
      .map((name) => {
        const values = tables.map((table) => table[key].get(name) ?? 0);
        return { name, values, diff: (values[0] ?? 0) - (values[1] ?? 0) };
      })
      .sort((a, b) => b.diff - a.diff);
    console.log(`\nself time, µs per request, ${key === 'byFunction' ? 'by function' : 'by file or package'}`);
    console.log(`${'ours'.padStart(7)} ${'raw'.padStart(7)} ${'diff'.padStart(7)}`);
    for (const { name, values, diff } of rows) {
      const [ours = 0, raw = 0] = values;
      console.log(
        `${ours.toFixed(2).padStart(7)} ${raw.toFixed(2).padStart(7)} ${diff.toFixed(2).padStart(7)}  ${name}`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
