// Runs the whole suite (the main run, then the broker fault tests) and prints the closing line CI reads:
// `N passed, N failed`, summed over every run. Extra arguments are passed to every vitest run.
//
// `--node-versions 20,22,24` (or MS_NODE_VERSIONS=20,22,24) runs the main suite once per Node major; the fault
// suite runs once, on the first version listed. A version other than the running Node's is taken from
// $MS_NODE_CACHE/node-<major>/bin/node (default ~/.cache/microservices-ts; scripts/install-node.sh puts it
// there). Without the option only the running Node is used, so `npm test` stays as fast as before.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitestEntry = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const currentMajor = process.versions.node.split('.')[0] ?? '';

/** Splits our own option off the arguments; everything else goes to vitest. */
function parseArguments(argv) {
  const extra = [];
  let versions = process.env.MS_NODE_VERSIONS ?? '';
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '--node-versions') versions = argv[++i] ?? '';
    else if (argument.startsWith('--node-versions=')) versions = argument.slice('--node-versions='.length);
    else extra.push(argument);
  }
  const majors = versions
    .split(',')
    .map((version) => version.trim().replace(/^v/, '').split('.')[0])
    .filter((major) => major !== '' && major !== undefined);
  return { extra, majors: majors.length > 0 ? [...new Set(majors)] : [currentMajor] };
}

/** The node binary for a major version, or `undefined` when it is not installed. */
function nodeBinary(major) {
  if (major === currentMajor) return process.execPath;
  const cache = process.env.MS_NODE_CACHE ?? join(homedir(), '.cache', 'microservices-ts');
  const binary = join(cache, `node-${major}`, 'bin', 'node');
  return existsSync(binary) ? binary : undefined;
}

const { extra, majors } = parseArguments(process.argv.slice(2));
const several = majors.length > 1;
const runs = majors.map((major) => ({
  name: several ? `main (Node ${major})` : 'main',
  major,
  config: 'vitest.config.ts',
  report: several ? `.vitest-main-node${major}.json` : '.vitest-main.json',
}));
runs.push({ name: 'faults', major: majors[0], config: 'vitest.faults.config.ts', report: '.vitest-faults.json' });

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
for (const run of runs) {
  const node = nodeBinary(run.major);
  if (node === undefined) {
    console.error(`\n== ${run.name}: no Node ${run.major} binary (run scripts/install-node.sh); counted as a failure`);
    failed++;
    continue;
  }
  rmSync(run.report, { force: true });
  const args = [
    vitestEntry,
    'run',
    '--config',
    run.config,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${run.report}`,
    ...extra,
  ];
  // Tests that start `node` or `npx` themselves get the same Node as vitest.
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n== ${run.name} tests on Node ${version}: ${node} ${args.join(' ')}`);
  const result = spawnSync(node, args, { stdio: 'inherit', env });
  if (!existsSync(run.report)) {
    console.error(`vitest wrote no report for the ${run.name} run (exit ${result.status})`);
    broken = true;
    continue;
  }
  const report = JSON.parse(readFileSync(run.report, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load counts no test but fails the run.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  );
  for (const file of brokenFiles) console.error(`failed to load: ${file.name}\n${file.message}`);
  failed += brokenFiles.length;
  if (result.status !== 0 && report.numFailedTests === 0 && brokenFiles.length === 0) broken = true;
  if (several) console.log(`(${run.name}: ${report.numPassedTests} tests passed, ${report.numFailedTests} failed)`);
}
if (skipped > 0) console.log(`${skipped} skipped (each skip prints its reason above)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
