/**
 * `npm run build && node --import tsx bench/profile.ts <server> [scenario] [seconds]`: profiles one HTTP server
 * (the toolkit from the built `dist/`) under load
 * (node --cpu-prof in the server's process, autocannon from another), then prints where the server spent
 * its CPU: the top functions by self time and the share per source file. This is how the notes in
 * bench/notes.md about what limits a row were found. The .cpuprofile is kept under bench/profiles/.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarios } from './http/suite.js';
import { SCENARIOS } from './http/workload.js';
import { BenchChild } from './lib/child.js';
import { type CpuProfile, summarise } from './profile-summary.js';

async function main(): Promise<void> {
  const [server = 'toolkit', scenarioName = 'plain', secondsText = '10'] = process.argv.slice(2);
  const scenario = SCENARIOS.find((entry) => entry.name === scenarioName);
  if (!scenario) throw new Error(`unknown scenario ${scenarioName}`);
  const dir = fileURLToPath(new URL('./profiles/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const child = BenchChild.start(
    'http/server-child.ts',
    [server],
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${process.env.PROFILE_INTERVAL_US ?? 1000}`],
  );
  const port = await child.ready();
  if (port === undefined) throw new Error('no port');
  const load = { connections: 50, warmupSeconds: 2, seconds: Number(secondsText) };
  const [sample] = await loadScenarios(port, [scenario], load, child);
  await child.stop(10_000);
  const written = readdirSync(dir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
  const file = written[0];
  if (!file) throw new Error('the server wrote no profile');
  console.log(
    `${server} ${scenario.name}: ${Math.round(sample?.rps ?? 0)} req/s, ${sample?.cpuUsPerRequest.toFixed(1)} µs CPU/request; profile ${join(dir, file)}\n`,
  );
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  console.log(summarise(profile, 25).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
