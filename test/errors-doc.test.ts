/**
 * The error catalogue stays the one source of codes: docs/errors.md is regenerated from it, and no code is written
 * in src/ that the catalogue does not hold (tsc refuses unknown codes given to the constructor; this scan catches
 * codes in other string positions, such as tables of codes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { catalogueFamilies, ERRORS_DOC, renderErrorsDoc } from '../scripts/errors-doc.js';
import { ERROR_CATALOGUE } from '../src/errors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CODE = /MS_[A-Z][A-Z0-9_]*/g;

/** Every `MS_...` text inside a string or template literal of one source file, with its line. */
function codesInLiterals(fileName: string, source: string): { code: string; line: number }[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: { code: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      for (const match of node.text.matchAll(CODE)) {
        found.push({ code: match[0], line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  it('matches ERROR_CATALOGUE (run `npm run docs:errors` after changing src/errors.ts)', () => {
    expect(readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc());
  });

  it('lists every catalogue code once, under a family heading', () => {
    const families = catalogueFamilies();
    const codes = families.flatMap((family) => family.codes);
    expect(codes.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    expect(families.map((family) => family.heading)).toContain('HTTP service');
    const page = readFileSync(ERRORS_DOC, 'utf8');
    for (const code of codes) expect(page.split(`| \`${code}\` |`)).toHaveLength(2);
  });

  it('refuses a catalogue entry with no family comment above it', () => {
    const source = "export const ERROR_CATALOGUE = { MS_X: { when: 'w', action: 'a' } } as const;";
    expect(() => catalogueFamilies(source)).toThrow(/MS_X has no "\/\/ Family" comment/);
  });
});

describe('no code outside the catalogue', () => {
  it('finds codes in string and template literals, not in comments', () => {
    const source = [
      '// MS_IN_A_COMMENT',
      "const table = { a: 'MS_QUEUE_CLOSED', b: 'MS_QUEUE_MADE_UP' };",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this is TypeScript source text to scan
      'const dynamic = `MS_QUEUE_${kind}`;',
    ].join('\n');
    expect(codesInLiterals('x.ts', source).map((hit) => hit.code)).toEqual([
      'MS_QUEUE_CLOSED',
      'MS_QUEUE_MADE_UP',
      'MS_QUEUE_',
    ]);
  });

  it('src/ holds no MS_* string outside src/errors.ts that the catalogue does not define', () => {
    const known = new Set(Object.keys(ERROR_CATALOGUE));
    const unknown: string[] = [];
    for (const path of sourceFiles(join(root, 'src'))) {
      const name = relative(root, path).replaceAll('\\', '/');
      if (name === 'src/errors.ts') continue;
      for (const hit of codesInLiterals(name, readFileSync(path, 'utf8'))) {
        if (!known.has(hit.code)) unknown.push(`${name}:${hit.line} ${hit.code}`);
      }
    }
    expect(unknown, 'codes that are not in ERROR_CATALOGUE (add them there, or use an existing one)').toEqual([]);
  });
});
