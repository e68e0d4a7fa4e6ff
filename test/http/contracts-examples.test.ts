/** examples/contracts/{zod,valibot,arktype}.ts: the same notes contract with each vendor, end to end on memory://. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it, vi } from 'vitest';
import { runArktypeDemo } from '../../examples/contracts/arktype.js';
import { runValibotDemo } from '../../examples/contracts/valibot.js';
import { runZodDemo } from '../../examples/contracts/zod.js';

const demos = [
  { vendor: 'zod', run: runZodDemo },
  { vendor: 'valibot', run: runValibotDemo },
  { vendor: 'arktype', run: runArktypeDemo },
];

describe.each(demos)('examples/contracts/$vendor.ts', ({ vendor, run }) => {
  it('validates the body, types the response, lists with a query, delivers the queue payload, documents it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const demo = await run(`memory://contracts-example-${vendor}-${process.pid}`);
    expect(demo.created).toEqual({ id: 1, title: 'Buy milk', tags: [] });
    expect(demo.refused).toMatchObject({ message: 'Invalid input.', code: 'MS_VALIDATION_FAILED' });
    expect(demo.refused.issues.map((issue: { path: string }) => issue.path)).toEqual(['body.title']);
    expect(demo.listed).toEqual([{ id: 1, title: 'Buy milk', tags: [] }]);
    expect(demo.received).toEqual([{ id: 1, title: 'Buy milk' }]);
    // biome-ignore lint/suspicious/noExplicitAny: the test walks the served document freely.
    const openapi = demo.openapi as Record<string, any>;
    const result = await new Validator().validate(structuredClone(openapi));
    expect(result.errors ?? []).toEqual([]);
    const post = openapi.paths['/notes/'].post;
    const ref = post.requestBody.content['application/json'].schema.$ref as string;
    const body = openapi.components.schemas[ref.split('/').pop() as string];
    expect(body).toMatchObject({ type: 'object', properties: { title: { type: 'string' } } });
    expect(openapi.paths['/notes/'].get.parameters[0]).toMatchObject({ name: 'page', in: 'query' });
  });
});
