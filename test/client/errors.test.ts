/**
 * The client's error classes and how undici's failures map onto them (the phases that the raw-server tests
 * cannot stage on loopback, such as a connect timeout, are covered here by their undici codes).
 */
import { describe, expect, it } from 'vitest';
import {
  ClientError,
  ConnectionError,
  InvalidRequestError,
  ResponseError,
  ResponseTooLargeError,
  TimeoutError,
} from '../../src/client/index.js';
import { toClientError } from '../../src/client/transport.js';
import { MicroservicesError } from '../../src/errors.js';

const info = {
  url: 'http://h/x/',
  total: 1000,
  headers: 500,
  body: 400,
  connect: 300,
  maxResponseSize: 10,
  expired: undefined,
} as const;
const undiciError = (code: string): Error => Object.assign(new Error(code), { code });

describe('mapping undici failures', () => {
  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'connect'],
    ['UND_ERR_HEADERS_TIMEOUT', 'headers'],
    ['UND_ERR_BODY_TIMEOUT', 'body'],
  ])('%s becomes TimeoutError with phase %s', (code, phase) => {
    const error = toClientError(undiciError(code), info, undefined);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase, code: 'MS_CLIENT_TIMEOUT' });
    expect((error as Error).cause).toMatchObject({ code });
  });

  it('names the deadline that the client itself expired', () => {
    expect(toClientError(new Error('aborted'), { ...info, expired: 'total' }, undefined)).toMatchObject({
      phase: 'total',
    });
    expect((toClientError(new Error('x'), { ...info, expired: 'headers' }, undefined) as Error).message).toBe(
      'Request to http://h/x/ timed out (headers timeout 500 ms)',
    );
  });

  it("passes a caller's abort reason through unchanged", () => {
    const reason = new Error('mine');
    expect(toClientError(new Error('aborted'), info, AbortSignal.abort(reason))).toBe(reason);
  });

  it('maps size, invalid arguments and socket errors', () => {
    expect(toClientError(undiciError('UND_ERR_RES_EXCEEDED_MAX_SIZE'), info, undefined)).toBeInstanceOf(
      ResponseTooLargeError,
    );
    expect(toClientError(undiciError('UND_ERR_INVALID_ARG'), info, undefined)).toBeInstanceOf(InvalidRequestError);
    const reset = toClientError(undiciError('ECONNRESET'), info, undefined);
    expect(reset).toBeInstanceOf(ConnectionError);
    expect((reset as Error).message).toBe('Connection to http://h/x/ failed: ECONNRESET');
  });
});

describe('error classes', () => {
  it('all extend ClientError and MicroservicesError, with stable codes', () => {
    const response = new ResponseError({ statusCode: 502, headers: {}, content: 'bad', url: 'http://h/' }, 'why');
    for (const error of [
      response,
      new TimeoutError('total', 1, 'http://h/'),
      new ConnectionError('http://h/', new Error('x')),
    ]) {
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toBeInstanceOf(MicroservicesError);
    }
    expect(response).toMatchObject({ code: 'MS_CLIENT_RESPONSE', status: 502, statusCode: 502, content: 'bad' });
    expect(response.name).toBe('ResponseError');
    expect(`${response}`).toBe('Error status code: 502. Description: why');
  });

  it('describes a parse error by its message and keeps it as the cause', () => {
    const parse = new SyntaxError('Unexpected end of JSON input');
    const error = new ResponseError({ statusCode: 200, headers: {}, content: '{', url: 'http://h/' }, parse);
    expect(error.toString()).toBe('Error status code: 200. Description: Unexpected end of JSON input');
    expect(error.description).toBe(parse);
    expect(error.cause).toBe(parse);
  });
});
