// Runs the whole suite (the main run, then the broker fault tests one file at a time) and prints the
// closing line CI reads: `N passed, N failed`. Extra arguments are passed to both vitest runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const extra = process.argv.slice(2);
const runs = [
  { name: 'main', config: 'vitest.config.ts', report: '.vitest-main.json' },
  { name: 'faults', config: 'vitest.faults.config.ts', report: '.vitest-faults.json' },
];

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
for (const run of runs) {
  rmSync(run.report, { force: true });
  const args = [
    'vitest',
    'run',
    '--config',
    run.config,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${run.report}`,
    ...extra,
  ];
  console.log(`\n== ${run.name} tests: npx ${args.join(' ')}`);
  const result = spawnSync('npx', args, { stdio: 'inherit' });
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
}
if (skipped > 0) console.log(`${skipped} skipped (each skip prints its reason above)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
