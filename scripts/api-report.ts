/**
 * The public-API report: API Extractor reads each entry point's declarations in dist/ (so run `npm run build`
 * first; the npm scripts do) and writes one report per entry point to api/. The reports are committed, so every
 * change to the exported surface shows up in review as a diff of api/*.api.md.
 *
 * Usage: `tsx scripts/api-report.ts` rewrites api/ (`npm run api:update`); `tsx scripts/api-report.ts --check`
 * prints the diff and exits 1 when the surface differs from the committed reports (`npm run api:check`, run by CI).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const reportDir = join(root, 'api');

/** The package's entry points (package.json `exports`), each with the name of its report. */
const ENTRY_POINTS = [
  { report: 'microservices-ts', types: 'dist/index.d.ts' },
  { report: 'microservices-ts-http', types: 'dist/http/index.d.ts' },
  { report: 'microservices-ts-queues', types: 'dist/queues/index.d.ts' },
  { report: 'microservices-ts-client', types: 'dist/client/index.d.ts' },
];

function extractorConfig(entry: (typeof ENTRY_POINTS)[number], outDir: string): IConfigFile {
  return {
    projectFolder: root,
    mainEntryPointFilePath: join(root, entry.types),
    compiler: { tsconfigFilePath: join(root, 'tsconfig.build.json') },
    apiReport: { enabled: true, reportFileName: entry.report, reportFolder: outDir, reportTempFolder: outDir },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: 'lf',
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.None },
        // We use no release tags (@public, @beta): every export is public.
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        // A type the surface uses but no entry point exports: noted in the report, where review sees it.
        'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
      },
      // TSDoc syntax nits in our comments (a bare `{` or `>`) are not API changes.
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
}

function generate(outDir: string): void {
  for (const entry of ENTRY_POINTS) {
    if (!existsSync(join(root, entry.types))) {
      throw new Error(`${entry.types} is missing: run \`npm run build\` first`);
    }
    const config = ExtractorConfig.prepare({
      configObject: extractorConfig(entry, outDir),
      configObjectFullPath: undefined,
      packageJsonFullPath: join(root, 'package.json'),
    });
    const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false });
    if (!result.succeeded) throw new Error(`API Extractor failed on ${entry.types} (${result.errorCount} errors)`);
    // The closing list of warnings names source positions; drop line:column so an edit that only moves lines
    // does not change the report.
    const report = join(outDir, `${entry.report}.api.md`);
    writeFileSync(report, readFileSync(report, 'utf8').replaceAll(/^(\/\/ src\/[^:\s]+):\d+:\d+ - /gm, '$1 - '));
  }
}

const check = process.argv.includes('--check');
const outDir = mkdtempSync(join(tmpdir(), 'api-report-'));
try {
  generate(outDir);
  let changed = 0;
  for (const { report } of ENTRY_POINTS) {
    const fresh = join(outDir, `${report}.api.md`);
    const committed = join(reportDir, `${report}.api.md`);
    const same = existsSync(committed) && readFileSync(committed, 'utf8') === readFileSync(fresh, 'utf8');
    if (same) continue;
    changed++;
    if (check) {
      const diff = spawnSync(
        'diff',
        [
          '-u',
          '--label',
          `api/${report}.api.md (committed)`,
          existsSync(committed) ? committed : '/dev/null',
          '--label',
          `api/${report}.api.md (built)`,
          fresh,
        ],
        { encoding: 'utf8' },
      );
      process.stdout.write(diff.stdout);
    } else {
      mkdirSync(reportDir, { recursive: true });
      copyFileSync(fresh, committed);
      console.log(`updated api/${report}.api.md`);
    }
  }
  if (check && changed > 0) {
    console.error(`\nThe public API differs from api/ in ${changed} report(s). If the change is intended, run`);
    console.error('`npm run api:update` and commit api/*.api.md with it.');
    process.exitCode = 1;
  } else if (check) {
    console.log(`public API unchanged (${ENTRY_POINTS.length} entry points)`);
  } else if (changed === 0) {
    console.log('api/ already up to date');
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
