/**
 * `ERRORS` has one factory per catalogue code: the error it makes is the one the constructor makes, typed with
 * its code.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CODES, type CodedError, ERROR_CATALOGUE, ERRORS, MicroservicesError } from '../src/errors.js';

describe('ERRORS', () => {
  it('has a factory for exactly the catalogue codes', () => {
    expect(Object.keys(ERRORS).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    expect(Object.isFrozen(ERRORS)).toBe(true);
  });

  it.each(Object.keys(ERROR_CATALOGUE))('%s makes a MicroservicesError with that code', (code) => {
    const error = ERRORS[code as keyof typeof ERRORS]('what happened');
    expect(error).toBeInstanceOf(MicroservicesError);
    expect(error.code).toBe(code);
    expect(error.message).toBe('what happened');
    expect(error.status).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('passes status and cause through, as the constructor does', () => {
    const cause = new Error('socket hang up');
    const made = ERRORS.MS_HTTP_NOT_FOUND('no such note', { status: 404, cause });
    const built = new MicroservicesError(CODES.MS_HTTP_NOT_FOUND, 'no such note', { status: 404, cause });
    expect([made.name, made.code, made.status, made.cause, made.message]).toEqual([
      built.name,
      built.code,
      built.status,
      built.cause,
      built.message,
    ]);
  });

  it('types each factory with its own code', () => {
    expectTypeOf(ERRORS.MS_QUEUE_CLOSED).returns.toEqualTypeOf<CodedError<'MS_QUEUE_CLOSED'>>();
    expectTypeOf(ERRORS.MS_QUEUE_CLOSED('x').code).toEqualTypeOf<'MS_QUEUE_CLOSED'>();
    // @ts-expect-error a code the catalogue does not hold has no factory
    expect(ERRORS.MS_NO_SUCH_CODE).toBeUndefined();
  });
});
