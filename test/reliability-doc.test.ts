/**
 * Test titles cite ids of documents outside the repository (RELIABILITY fault ids such as `A4:`, seed-parity
 * checklist items, seed bugs such as B9, sections such as `seed §4.2`). docs/reliability.md says what each one
 * means; this test keeps it complete: every id a title cites has a row there, and that row names the test file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOC = join(root, 'docs/reliability.md');

const TEST_CALLS = new Set(['describe', 'it', 'test', 'bench']);

/** The title of every describe/it/test call in a file, `.each`, `.skipIf(...)` and friends included. */
function testTitles(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const titles: string[] = [];
  const calleeRoot = (node: ts.Expression): string | undefined => {
    if (ts.isIdentifier(node)) return node.text;
    if (ts.isPropertyAccessExpression(node)) return calleeRoot(node.expression);
    if (ts.isCallExpression(node)) return calleeRoot(node.expression);
    if (ts.isTaggedTemplateExpression(node)) return calleeRoot(node.tag);
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && TEST_CALLS.has(calleeRoot(node.expression) ?? '')) {
      const [first] = node.arguments;
      // Only the call that takes the title: `describe.skipIf(x)('title', fn)`, not `skipIf(x)` itself.
      const takesBody = node.arguments.some((arg) => ts.isArrowFunction(arg) || ts.isFunctionExpression(arg));
      if (first && takesBody && (ts.isStringLiteralLike(first) || ts.isTemplateExpression(first))) {
        titles.push(first.getText(file).slice(1, -1));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return titles;
}

/** One id a title cites: `A4`, `A8a`, `B9` (letter ids), `39` (checklist item), `seed §4.2` (section). */
function citedIds(title: string): string[] {
  const ids = new Set<string>();
  // "issue 10 item 4" cites an item of a GitHub-style issue, not the parity checklist.
  title = title.replace(/\bissue\s+\d+\s+items?\s+[\d\s,\-–and]+/gi, '');
  for (const match of title.matchAll(/\b([A-H]\d{1,2}[a-z]?)\b/g)) ids.add(match[1] as string);
  for (const match of title.matchAll(/\b(?:checklist(?:\s+items?)?|items?)\s+(\d+(?:\s*(?:,|and|to|-|–)\s*\d+)*)/gi)) {
    for (const part of (match[1] as string).split(/\s*(?:,|and)\s*/)) {
      const [from, to = from] = part.split(/\s*(?:to|-|–)\s*/).map(Number);
      for (let item = from as number; item <= (to as number); item++) ids.add(String(item));
    }
  }
  for (const match of title.matchAll(/\b(seed|RELIABILITY)\s+§\s?(\d+(?:\.\d+)*)/gi)) {
    ids.add(`${(match[1] as string).toLowerCase() === 'seed' ? 'seed' : 'RELIABILITY'} §${match[2]}`);
  }
  return [...ids];
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.(test|test-d)\.ts$|suite\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Rows of every table in the doc, keyed by their first cell. */
function docRows(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const cell = /^\|\s*([^|]+?)\s*\|/.exec(line)?.[1];
    if (cell && !/^-+$/.test(cell)) rows.set(cell.replaceAll('**', ''), `${rows.get(cell) ?? ''}${line}\n`);
  }
  return rows;
}

describe('citedIds', () => {
  it('reads letter ids, checklist items, ranges and sections', () => {
    expect(citedIds('A4: poison')).toEqual(['A4']);
    expect(citedIds('A8b: under a memory alarm')).toEqual(['A8b']);
    expect(citedIds('HEAD (checklist items 4 and 39, RELIABILITY F6)')).toEqual(['F6', '4', '39']);
    expect(citedIds('resources listing (checklist items 25 to 28)')).toEqual(['25', '26', '27', '28']);
    expect(citedIds('URL building (seed §4.3, checklist 47-49)')).toEqual(['47', '48', '49', 'seed §4.3']);
    expect(citedIds('controls per allowed method (checklist 45, 46)')).toEqual(['45', '46']);
    expect(citedIds('item 11 (DOC): a string return')).toEqual(['11']);
    expect(citedIds('queue examples on $label')).toEqual([]);
  });

  it('reads titles of describe, it and their .each / .skipIf forms', () => {
    const source = [
      "describe.skipIf(check.skip)('C4 nats: resumes', () => {",
      "  it.each([1])('F2 %s', async () => {});",
      "  it('A9: drains', async () => {});",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text to parse
      '  it(`${x} E1`, () => {});',
      "  expect('B5').toBe('B5');",
      '});',
    ].join('\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the title as written in the source
    expect(testTitles('x.test.ts', source)).toEqual(['C4 nats: resumes', 'F2 %s', 'A9: drains', '${x} E1']);
  });
});

describe('docs/reliability.md', () => {
  const doc = readFileSync(DOC, 'utf8');
  const rows = docRows(doc);
  const citations = testFiles(join(root, 'test')).flatMap((path) => {
    const file = relative(root, path).replaceAll('\\', '/');
    return testTitles(file, readFileSync(path, 'utf8')).flatMap((title) =>
      citedIds(title).map((id) => ({ id, file, title })),
    );
  });

  it('has test titles to check (the title reader still works)', () => {
    expect(citations.length).toBeGreaterThan(100);
  });

  it('has a row for every id cited in a test title, naming the test file', () => {
    const problems: string[] = [];
    for (const { id, file, title } of citations) {
      // A sub-case such as A8b lives in the row of A8 and is named there.
      const parent = /^([A-H]\d{1,2})[a-z]$/.exec(id)?.[1];
      const row = rows.get(parent ?? id);
      if (!row) problems.push(`${id}: no row in docs/reliability.md (cited by ${file}: "${title}")`);
      else if (parent && !row.includes(id)) problems.push(`${id}: the ${parent} row does not mention it (${file})`);
      else if (!row.includes(file)) problems.push(`${id}: its row does not name ${file} ("${title}")`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('names only test files that exist', () => {
    const linked = [...doc.matchAll(/`(test\/[^`\s]+)`/g)].map((match) => match[1] as string);
    expect(linked.length).toBeGreaterThan(20);
    expect(linked.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });
});
