import {
  type APIException,
  AuthenticationFailed,
  MethodNotAllowed,
  Microservice,
  NotAcceptable,
  NotAuthenticated,
  NotFound,
  ParseError,
  PermissionDenied,
  ResourceMarker,
  Throttled,
  UnsupportedMediaType,
} from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { MicroservicesError } from '../../src/errors.js';

describe('API exceptions (checklist item 40)', () => {
  const cases: [() => APIException, number, string][] = [
    [() => new ParseError(), 400, 'Malformed request.'],
    [() => new AuthenticationFailed(), 401, 'Incorrect authentication credentials.'],
    [() => new NotAuthenticated(), 401, 'Authentication credentials were not provided.'],
    [() => new PermissionDenied(), 403, 'You do not have permission to perform this action.'],
    [() => new NotFound(), 404, 'This resource does not exist.'],
    [() => new MethodNotAllowed(), 405, 'Method not allowed.'],
    [() => new NotAcceptable(), 406, 'Could not satisfy the request Accept header.'],
    [() => new UnsupportedMediaType(), 415, 'Unsupported media type in the request Content-Type header.'],
    [() => new Throttled(), 429, 'Request was throttled.'],
  ];

  it.each(cases)('renders %# as {"message": detail} with its status', async (make, status, message) => {
    const app = new Microservice('errors');
    app.get('/e/', () => {
      throw make();
    });
    const res = await app.inject('/e/');
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ message });
  });

  it('takes a custom detail, has a stable code and extends MicroservicesError', () => {
    const error = new NotFound('No note 7');
    expect(error.detail).toBe('No note 7');
    expect(error.code).toBe('MS_HTTP_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error).toBeInstanceOf(MicroservicesError);
  });

  it('Throttled sends Retry-After', async () => {
    const app = new Microservice('errors');
    app.get('/t/', () => {
      throw new Throttled('Slow down', 30);
    });
    const res = await app.inject('/t/');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.json()).toEqual({ message: 'Slow down' });
  });

  it('passes API errors through the envelope, and renders them on the page for browsers', async () => {
    const app = new Microservice('errors');
    app.get('/m/', { resource: new ResourceMarker({ update: { u: 1 } }) }, () => {
      throw new PermissionDenied('nope <b>');
    });
    expect((await app.inject('/m/')).json()).toEqual({ u: 1, message: 'nope <b>' });
    const page = await app.inject({ url: '/m/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(403);
    expect(page.body).not.toContain('nope <b>');
    expect(page.body).toContain('nope &lt;b&gt;');
  });
});

describe('uncaught errors (checklist item 39)', () => {
  it('are 500 without a stack trace unless exposeErrors (debug alone never shows it)', async () => {
    const make = (debug: boolean, exposeErrors = false) => {
      const app = new Microservice('errors', { debug, exposeErrors });
      app.get('/boom/', function boom() {
        throw new Error('kaput');
      });
      return app;
    };
    const quiet = await make(false).inject('/boom/');
    expect(quiet.statusCode).toBe(500);
    expect(quiet.body).not.toContain('kaput');
    const debug = await make(true).inject('/boom/');
    expect(debug.statusCode).toBe(500);
    expect(debug.body).not.toContain('kaput');
    const exposed = await make(false, true).inject('/boom/');
    expect(exposed.statusCode).toBe(500);
    expect(exposed.json().detail).toContain('Error: kaput');
  });
});
