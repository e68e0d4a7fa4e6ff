/**
 * Loads the toolkit as users run it: the built package under `dist/` (`npm run build`), never `src/` through
 * tsx. tsx leaves plain `.js` files alone, so the bench children (TypeScript harness code under tsx) measure
 * exactly the JavaScript that `tsc` emitted, without esbuild's `keepNames` wrapping every closure.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package entry points the bench uses. */
export type ToolkitEntry = 'http' | 'client' | 'queues';

/**
 * Imports `dist/<entry>/index.js`; a missing build is a clear error rather than a silent fallback to `src/`.
 * @example const http = (await loadToolkit('http')) as typeof import('../../src/http/index.js');
 */
export async function loadToolkit(entry: ToolkitEntry): Promise<unknown> {
  // `BENCH_TOOLKIT_DIST`: an earlier build kept inside the repository (e.g. bench/profiles/dist-base), for
  // before/after runs (bench/queues/ab.ts --base).
  const base = process.env.BENCH_TOOLKIT_DIST;
  const file = base
    ? join(base, entry, 'index.js')
    : fileURLToPath(new URL(`../../dist/${entry}/index.js`, import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the bench`);
  return import(pathToFileURL(file).href);
}
