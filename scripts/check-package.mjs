// Checks what `npm pack` would publish (run after `npm run build`; part of `npm run check:package`):
// - every relative link and image in README.md, and in every Markdown file shipped, resolves to a file in the
//   tarball, and an `#anchor` into a shipped Markdown file names one of its headings;
// - every source map's sources resolve: inlined (`sourcesContent`) or a file in the tarball;
// - LICENSE and a `repository` field are there.
// Prints each problem and exits 1 when there is one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const problems = [];

const [pack] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
const files = new Set(pack.files.map((file) => file.path));
console.log(`${pack.filename}: ${files.size} files, ${(pack.size / 1024).toFixed(0)} KiB packed`);

if (![...files].some((file) => file.startsWith('dist/'))) problems.push('no dist/ in the tarball: run npm run build');
if (!files.has('LICENSE')) problems.push('no LICENSE in the tarball');
const manifest = JSON.parse(read('package.json'));
if (!manifest.repository?.url) problems.push('package.json has no repository.url');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens (repeats get -1, -2, ...). */
function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? '').replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative link targets in Markdown: `[text](target)`, `![alt](target)` and `<img src="target">`. */
function linksOf(markdown) {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [];
  for (const match of withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push(match[1]);
  for (const match of withoutCode.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)) targets.push(match[1]);
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function checkLinks(markdownPath) {
  const markdown = read(markdownPath);
  for (const target of linksOf(markdown)) {
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? markdownPath : posix.normalize(posix.join(posix.dirname(markdownPath), path));
    if (!files.has(resolved)) {
      problems.push(`${markdownPath}: link ${target} -> ${resolved} is not in the tarball`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(decodeURIComponent(anchor)))
      problems.push(`${markdownPath}: link ${target}: ${resolved} has no heading #${anchor}`);
  }
}

const markdownFiles = [...files].filter((file) => file.endsWith('.md') && !file.startsWith('dist/'));
if (!files.has('README.md')) problems.push('no README.md in the tarball');
for (const file of markdownFiles) checkLinks(file);

const maps = [...files].filter((file) => file.endsWith('.map'));
for (const mapPath of maps) {
  const map = JSON.parse(read(mapPath));
  const base = posix.join(posix.dirname(mapPath), map.sourceRoot ?? '');
  map.sources.forEach((source, index) => {
    if (typeof map.sourcesContent?.[index] === 'string') return;
    const resolved = posix.normalize(posix.join(base, source));
    if (!files.has(resolved)) problems.push(`${mapPath}: source ${source} is neither inlined nor in the tarball`);
  });
}

console.log(`checked the links of ${markdownFiles.length} Markdown files and ${maps.length} source maps`);
for (const problem of problems) console.error(`  ${problem}`);
console.log(problems.length === 0 ? 'package contents: ok' : `package contents: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
