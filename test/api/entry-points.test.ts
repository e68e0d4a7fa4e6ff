/**
 * No entry point exports two things under one name. Two explicit exports of one name do not compile, but a
 * star export (`export *`, `export type *`) is silently shadowed by any other export of that name, so one of
 * the two disappears from the public surface without a word (issue 11: the transport's QueueOptions did).
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY_POINTS = ['src/index.ts', 'src/http/index.ts', 'src/queues/index.ts', 'src/client/index.ts'];

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${root}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  return ts.createProgram(
    ENTRY_POINTS.map((file) => `${root}${file}`),
    config.options,
  );
}

/** Names a star export of `file` would have contributed but another export of the same file shadows. */
function shadowedNames(checker: ts.TypeChecker, file: ts.SourceFile): string[] {
  const explicit = new Set<string>();
  const starred: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) explicit.add(element.name.text);
    } else if (!statement.exportClause && statement.moduleSpecifier) {
      const target = checker.getSymbolAtLocation(statement.moduleSpecifier);
      if (target) starred.push(...checker.getExportsOfModule(target).map((symbol) => symbol.name));
    }
  }
  for (const statement of file.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const exported = modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    const name = (statement as { name?: ts.Node }).name;
    if (exported && name && ts.isIdentifier(name)) explicit.add(name.text);
  }
  // A name shadowed by an explicit export, or brought in by two star exports (one of them is dropped).
  const shadowed = starred.filter((name, index) => explicit.has(name) || starred.indexOf(name) !== index);
  return [...new Set(shadowed)];
}

describe('public entry points', () => {
  const compiled = program();
  const checker = compiled.getTypeChecker();

  it.each(ENTRY_POINTS)('%s exports no two things under one name', (entry) => {
    const file = compiled.getSourceFile(`${root}${entry}`);
    expect(file).toBeDefined();
    expect(shadowedNames(checker, file as ts.SourceFile)).toEqual([]);
  });

  it('the queues entry point exports both QueueOptions: the service one and the transport one renamed', () => {
    const file = compiled.getSourceFile(`${root}src/queues/index.ts`) as ts.SourceFile;
    const names = checker.getExportsOfModule(checker.getSymbolAtLocation(file) as ts.Symbol).map((s) => s.name);
    expect(names).toContain('QueueOptions');
    expect(names).toContain('TransportQueueOptions');
  });
});
