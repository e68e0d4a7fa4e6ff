import { type HttpRequest, Microservice, type RuleParams } from 'microservices-ts/http';
import { describe, expectTypeOf, it } from 'vitest';

describe('req.params is typed from the rule string', () => {
  it('maps converters to TypeScript types', () => {
    expectTypeOf<RuleParams<'/x/<int:id>/<name>'>>().toEqualTypeOf<{ id: number; name: string }>();
    expectTypeOf<RuleParams<'/f/<float:x>/<path:rest>'>>().toEqualTypeOf<{ x: number; rest: string }>();
    expectTypeOf<RuleParams<'/u/<uuid:id>/<string:s>'>>().toEqualTypeOf<{ id: string; s: string }>();
    expectTypeOf<RuleParams<'/a/<any(red, blue):colour>'>>().toEqualTypeOf<{ colour: 'red' | 'blue' }>();
    expectTypeOf<RuleParams<'/n/<int(min=1):n>'>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<keyof RuleParams<'/static/'>>().toEqualTypeOf<never>();
    expectTypeOf<RuleParams<'/b/<bigint:id>'>>().toEqualTypeOf<{ id: bigint }>();
  });

  it('types the handler argument of route() and the shorthands', () => {
    const app = new Microservice('types');
    app.route('/second/<string:test>/<int:two>/', {}, (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ test: string; two: number }>();
      return null;
    });
    app.get('/x/<int:id>/<name>', (req) => {
      expectTypeOf(req).toEqualTypeOf<HttpRequest<{ id: number; name: string }>>();
      // @ts-expect-error: the rule has no `missing` parameter
      req.params.missing;
      return null;
    });
  });
});
