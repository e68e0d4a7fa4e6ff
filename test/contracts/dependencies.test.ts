import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../src/contracts');
const sources = readdirSync(root)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(join(root, name), 'utf8') }));
const imports = (text: string): string[] =>
  [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[0]);

describe('src/contracts stays independent', () => {
  it('imports @standard-schema/spec for its types only', () => {
    for (const { name, text } of sources) {
      for (const statement of imports(text).filter((s) => s.includes('@standard-schema/spec'))) {
        expect(statement, name).toMatch(/^import type /);
      }
    }
  });
  it('never imports a validator, src/http, src/queues or src/client', () => {
    for (const { name, text } of sources) {
      for (const statement of imports(text)) {
        expect(statement, name).not.toMatch(/'(zod|valibot|arktype|@valibot\/[^']*)'|\/(http|queues|client)\//);
      }
    }
  });
  it('package.json keeps the validators out of dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    for (const name of ['zod', 'valibot', 'arktype', '@standard-schema/spec', '@valibot/to-json-schema']) {
      expect(pkg.dependencies?.[name], name).toBeUndefined();
      expect(pkg.peerDependencies?.[name], name).toBeUndefined();
    }
  });
});
