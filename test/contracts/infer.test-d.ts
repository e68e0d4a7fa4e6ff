import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type {
  InferInput,
  InferOutput,
  RouteBodyInput,
  RouteData,
  RouteHeaders,
  RouteInput,
  RouteQuery,
  RouteResponseBody,
  RouteReturn,
  RouteSchema,
  RouteStatus,
  ValidationResult,
} from '../../src/contracts/index.js';
import { validate } from '../../src/contracts/index.js';

const ZodNote = z.object({ title: z.string(), done: z.boolean().default(false) });
const ZodPaging = z.object({ page: z.coerce.number() });
const ZodOut = z.object({ id: z.number(), title: z.string() });

const ValiNote = v.object({ title: v.string(), done: v.optional(v.boolean(), false) });
const ArkNote = type({ title: 'string', 'done?': 'boolean' });

describe('InferInput / InferOutput', () => {
  it('zod: input before defaults, output after', () => {
    expectTypeOf<InferInput<typeof ZodNote>>().toEqualTypeOf<{ title: string; done?: boolean | undefined }>();
    expectTypeOf<InferOutput<typeof ZodNote>>().toEqualTypeOf<{ title: string; done: boolean }>();
    expectTypeOf<InferInput<typeof ZodPaging>>().toEqualTypeOf<{ page: unknown }>();
    expectTypeOf<InferOutput<typeof ZodPaging>>().toEqualTypeOf<{ page: number }>();
  });
  it('valibot, also through the Standard JSON Schema wrapper', () => {
    expectTypeOf<InferInput<typeof ValiNote>>().toEqualTypeOf<{ title: string; done?: boolean | undefined }>();
    expectTypeOf<InferOutput<typeof ValiNote>>().toEqualTypeOf<{ title: string; done: boolean }>();
    const wrapped = toStandardJsonSchema(ValiNote);
    expectTypeOf<InferOutput<typeof wrapped>>().toEqualTypeOf<{ title: string; done: boolean }>();
  });
  it('arktype', () => {
    expectTypeOf<InferOutput<typeof ArkNote>>().toEqualTypeOf<{ title: string; done?: boolean }>();
  });
  it('anything that is not a schema infers unknown', () => {
    expectTypeOf<InferOutput<string>>().toBeUnknown();
    expectTypeOf<InferInput<undefined>>().toBeUnknown();
  });
});

describe('route types', () => {
  const schema = {
    body: ZodNote,
    query: ZodPaging,
    headers: ArkNote,
    response: { 200: ZodOut, 201: ValiNote, 404: z.object({ message: z.string() }) },
  } satisfies RouteSchema;
  type S = typeof schema;

  it('the handler sees the outputs of body, query and headers', () => {
    expectTypeOf<RouteData<S>>().toEqualTypeOf<{ title: string; done: boolean }>();
    expectTypeOf<RouteQuery<S>>().toEqualTypeOf<{ page: number }>();
    expectTypeOf<RouteHeaders<S>>().toEqualTypeOf<{ title: string; done?: boolean }>();
    expectTypeOf<RouteInput<S>['data']>().toEqualTypeOf<RouteData<S>>();
  });
  it('the handler returns the input of a 2xx response schema, never the 404 body', () => {
    expectTypeOf<RouteReturn<S>>().toEqualTypeOf<
      { id: number; title: string } | { title: string; done?: boolean | undefined }
    >();
    expectTypeOf<{ message: string }>().not.toExtend<RouteReturn<S>>();
    expectTypeOf<RouteStatus<S>>().toEqualTypeOf<200 | 201 | 404>();
  });
  it('the client sends the body input and reads each status output', () => {
    expectTypeOf<RouteBodyInput<S>>().toEqualTypeOf<{ title: string; done?: boolean | undefined }>();
    expectTypeOf<RouteResponseBody<S, 201>>().toEqualTypeOf<{ title: string; done: boolean }>();
    expectTypeOf<RouteResponseBody<S, 404>>().toEqualTypeOf<{ message: string }>();
    expectTypeOf<RouteResponseBody<S, 500>>().toBeUnknown();
  });
  it('without schemas everything is unknown', () => {
    type None = Record<never, never>;
    expectTypeOf<RouteData<None>>().toBeUnknown();
    expectTypeOf<RouteQuery<None>>().toBeUnknown();
    expectTypeOf<RouteReturn<None>>().toBeUnknown();
    expectTypeOf<RouteReturn<{ response: { 404: typeof ZodOut } }>>().toBeUnknown();
  });
  it('a non-schema does not satisfy RouteSchema', () => {
    // @ts-expect-error: body must be a Standard Schema
    const wrong: RouteSchema = { body: { title: 'string' } };
    expectTypeOf(wrong).toEqualTypeOf<RouteSchema>();
  });
});

describe('validate() result type', () => {
  it('is the schema output', () => {
    expectTypeOf(validate(ZodNote, {})).resolves.toEqualTypeOf<ValidationResult<{ title: string; done: boolean }>>();
    expectTypeOf(validate(ArkNote, {})).resolves.toEqualTypeOf<ValidationResult<{ title: string; done?: boolean }>>();
  });
});
