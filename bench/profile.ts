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

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

function shortUrl(url: string): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return url.replace('file://', '').replace(root, '') || '(native)';
}

function summarise(profile: CpuProfile, top: number): string[] {
  const total = profile.samples.length || 1;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const file = shortUrl(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const group = file.startsWith('node_modules/') ? file.split('/').slice(0, 2).join('/') : file;
    byFile.set(group, (byFile.get(group) ?? 0) + hits);
  }
  const percent = (hits: number): string => `${((hits / total) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (map: Map<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `self time by function (top ${top}):`,
    ...sorted(byFunction).map(([name, hits]) => `${percent(hits)}  ${name}`),
    '',
    `self time by file or package (top ${top}):`,
    ...sorted(byFile).map(([name, hits]) => `${percent(hits)}  ${name}`),
  ];
}

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
