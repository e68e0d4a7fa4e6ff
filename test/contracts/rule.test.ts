import { describe, expect, it } from 'vitest';
import { converterSchema, parseRule, type RuleParameter, toOpenApiPath } from '../../src/contracts/index.js';
import { MicroservicesError } from '../../src/errors.js';

const parameter = (rule: string): RuleParameter => {
  const found = parseRule(rule).find((part) => part.kind === 'parameter');
  if (found?.kind !== 'parameter') throw new Error('no parameter');
  return found;
};

describe('parseRule() / toOpenApiPath()', () => {
  it('turns Werkzeug rules into OpenAPI path templates', () => {
    expect(toOpenApiPath(parseRule('/notes/<int:id>/'))).toBe('/notes/{id}/');
    expect(toOpenApiPath(parseRule('/a/<name>/b/<path:rest>'))).toBe('/a/{name}/b/{rest}');
    expect(toOpenApiPath(parseRule('/static/'))).toBe('/static/');
  });
  it('reads converter arguments, named and positional, quoted or not', () => {
    expect(parameter('/<int(min=1, signed=True):n>')).toMatchObject({
      converter: 'int',
      name: 'n',
      named: { min: '1', signed: 'True' },
    });
    expect(parameter('/<any(red, \'a,b\', "c"):kind>').positional).toEqual(['red', 'a,b', 'c']);
    expect(parameter('/<x>').converter).toBe('default');
  });
  it.each([
    ['no-slash', 'must start with /'],
    ['/a/<int:id', 'no matching'],
    ['/a/<int:>/', 'is not'],
    ['/a/<x>/<x>', 'twice'],
    [`/${'a'.repeat(3000)}`, 'longer than'],
  ])('refuses %s with MS_CONTRACT_INVALID', (rule, why) => {
    let caught: unknown;
    try {
      parseRule(rule);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MicroservicesError);
    expect((caught as MicroservicesError).code).toBe('MS_CONTRACT_INVALID');
    expect((caught as Error).message).toContain(why);
  });
});

describe('converterSchema(): typed path parameters', () => {
  it.each([
    ['/<int:x>', { type: 'integer', minimum: 0 }],
    ['/<int(signed=True):x>', { type: 'integer' }],
    ['/<int(min=1, max=9):x>', { type: 'integer', minimum: 1, maximum: 9 }],
    ['/<float:x>', { type: 'number', minimum: 0 }],
    ['/<uuid:x>', { type: 'string', format: 'uuid' }],
    ['/<path:x>', { type: 'string', description: 'May contain "/".' }],
    ['/<any(a, b):x>', { type: 'string', enum: ['a', 'b'] }],
    ['/<x>', { type: 'string', pattern: '^[^/]+$' }],
    ['/<string(length=2):x>', { type: 'string', pattern: '^[^/]+$', minLength: 2, maxLength: 2 }],
    ['/<string(minlength=3, maxlength=8):x>', { type: 'string', pattern: '^[^/]+$', minLength: 3, maxLength: 8 }],
  ])('%s', (rule, schema) => {
    expect(converterSchema(parameter(rule))).toEqual(schema);
  });
});
