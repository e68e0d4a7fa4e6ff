#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --out FILE] [-- --no-build]`: builds the package (`npm run build`), then runs
// the TypeScript benchmark driver under tsx. The driver and its children are TypeScript, but the toolkit they
// measure is the built `dist/` (bench/lib/toolkit.ts), as users run it. Other arguments are passed through.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
if (!args.includes('--no-build')) {
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(here, 'main.ts'), ...args.filter((arg) => arg !== '--no-build')],
  { stdio: 'inherit', cwd: root },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
