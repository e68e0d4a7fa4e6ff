import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../src');
const sources = ['lifecycle', 'ops'].flatMap((folder) =>
  readdirSync(join(src, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ name: `${folder}/${name}`, text: readFileSync(join(src, folder, name), 'utf8') })),
);
const statements = (text: string): string[] =>
  [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[0]);

describe('src/lifecycle and src/ops stay part-independent', () => {
  it('has sources to check', () => {
    expect(sources.map((source) => source.name)).toEqual(
      expect.arrayContaining(['lifecycle/run-parts.ts', 'ops/health.ts', 'ops/metrics.ts', 'ops/ops-server.ts']),
    );
  });

  it('never imports src/http, src/queues or src/client (the parts plug into these modules, not the reverse)', () => {
    for (const { name, text } of sources) {
      for (const statement of statements(text)) expect(statement, name).not.toMatch(/'\.\.\/(http|queues|client)\//);
    }
  });

  it('imports prom-client statically for types only; the one runtime import is the lazy one in prom-loader.ts', () => {
    for (const { name, text } of sources) {
      for (const statement of statements(text).filter((s) => s.includes("'prom-client'"))) {
        expect(statement, name).toMatch(/^import type /);
      }
      const dynamic = text.match(/import\('prom-client'\)/g) ?? [];
      expect(dynamic.length, name).toBe(name === 'ops/prom-loader.ts' ? 1 : 0);
    }
  });
});
