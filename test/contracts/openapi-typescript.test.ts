/**
 * Issue 15: a consumer that knows nothing of this package generates types from `/openapi.json` with
 * openapi-typescript (its programmatic API, `openapiTS` + `astToString`) and type-checks against them: the
 * converters' path parameters, the zod body, query and response schemas all come through; a wrong body, a
 * wrong path parameter and a path the service does not have fail to compile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Microservice, ResourceMarker } from '../../src/http/index.js';

const NoteInput = z.object({ title: z.string().min(1), done: z.boolean().default(false) });
const Note = z.object({ id: z.number().int(), title: z.string(), done: z.boolean() });
const Paging = z.object({ page: z.coerce.number().int().min(1).default(1) });

function service(): Microservice {
  return new Microservice('notes', { openapi: { title: 'Notes', version: '1.0.0' } })
    .get('/notes/', { schema: { query: Paging, response: { 200: z.array(Note) } } }, () => [])
    .put('/notes/<int:id>/', { schema: { body: NoteInput, response: { 200: Note } } }, (req) => ({
      id: req.params.id,
      ...req.data,
    }))
    .get('/files/<uuid:key>/<path:rest>', (req) => ({ key: req.params.key, rest: req.params.rest }))
    .route(
      '/marked/<float:x>/',
      { methods: ['GET'], resource: new ResourceMarker(), schema: { response: { 200: Note } } },
      () => ({ id: 1, title: 't', done: true }),
    );
}

const HEADER = `import type { components, paths } from './api.js';
type Put = paths['/notes/{id}/']['put'];
type NoteInput = Put['requestBody']['content']['application/json'];
`;

const GOOD = `${HEADER}
type Note = Put['responses'][200]['content']['application/json'];
type Page = NonNullable<paths['/notes/']['get']['parameters']['query']>['page'];
export const input: NoteInput = { title: 'x' };
export const withDone: NoteInput = { title: 'x', done: true };
export const note: Note = { id: 1, title: 'x', done: false };
export const id: Put['parameters']['path']['id'] = 42;
export const page: Page = 2;
export const list: paths['/notes/']['get']['responses'][200]['content']['application/json'] = [note];
export const file: paths['/files/{key}/{rest}']['get']['parameters']['path'] = { key: 'k', rest: 'a/b' };
export const x: paths['/marked/{x}/']['get']['parameters']['path']['x'] = 1.5;
export const invalid: components['schemas']['ValidationErrorBody'] = {
  message: 'Invalid input.',
  issues: [{ path: 'body.title', message: 'Required' }],
};
`;

// Each line marked `// wrong` must produce a diagnostic, and no other line may.
const BAD = `${HEADER}
export const wrongBody: NoteInput = { title: 1 }; // wrong
export const missingTitle: NoteInput = { done: true }; // wrong
export const wrongId: Put['parameters']['path']['id'] = '42'; // wrong
export type WrongPath = paths['/notes/{nope}/']; // wrong
export const fine: NoteInput = { title: 'ok' };
`;

const dir = mkdtempSync(join(tmpdir(), 'ms-openapi-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diagnose(file: string): ts.Diagnostic[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  return [...ts.getPreEmitDiagnostics(program)];
}

function lineOf(diagnostic: ts.Diagnostic): number {
  if (!diagnostic.file || diagnostic.start === undefined) return -1;
  return diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
}

describe('openapi-typescript round trip', () => {
  it('generates types from /openapi.json that a consumer type-checks against', async () => {
    const app = service();
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    // Request bodies: a property with a default is optional to the sender (openapi-typescript's default treats
    // defaults as always present, which fits responses only).
    const source = astToString(await openapiTS(response.json(), { defaultNonNullable: false }));
    writeFileSync(join(dir, 'api.ts'), source);
    writeFileSync(join(dir, 'good.ts'), GOOD);
    writeFileSync(join(dir, 'bad.ts'), BAD);

    const good = diagnose('good.ts');
    expect(good.map((d) => `${lineOf(d)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)).toEqual([]);

    const bad = diagnose('bad.ts');
    const expected = BAD.split('\n')
      .map((line, index) => (line.endsWith('// wrong') ? index + 1 : 0))
      .filter((line) => line > 0);
    expect([...new Set(bad.map(lineOf))].sort((a, b) => a - b)).toEqual(expected);
    expect(bad.every((d) => d.file?.fileName.endsWith('bad.ts'))).toBe(true);
    await app.close();
  }, 60_000);
});
