import {
  BaseResourceSchema,
  BrowserResourceSchema,
  Microservice,
  ResourceMarker,
  ResourceSchema,
  reply,
} from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';
import { envelope } from '../../src/http/envelope.js';

const HTML = { accept: 'text/html' };

/** A service with one marked rule `/r/<string:y>/`. */
function marked(
  marker: ResourceMarker,
  handler: () => unknown,
  options: { methods?: string[]; app?: Microservice } = {},
) {
  const app = options.app ?? new Microservice('envelope');
  app.route('/r/<string:y>/', { resource: marker, methods: options.methods ?? ['GET'] }, handler);
  return app;
}

describe('envelope with the default schema (checklist items 9 to 12)', () => {
  it('item 9: an object return is the JSON body itself', async () => {
    expect((await marked(new ResourceMarker(), () => ({ a: 1 })).inject('/r/x/')).json()).toEqual({ a: 1 });
  });
  it('item 10: a list return is wrapped under "response"', async () => {
    expect((await marked(new ResourceMarker(), () => [1, 2]).inject('/r/x/')).json()).toEqual({ response: [1, 2] });
  });
  it('item 11 (DOC): a string return is rendered like a list', async () => {
    expect((await marked(new ResourceMarker(), () => 'SECOND').inject('/r/x/')).json()).toEqual({ response: 'SECOND' });
  });
  it('item 12: an empty string return gives {"response": ""}', async () => {
    expect((await marked(new ResourceMarker(), () => '').inject('/r/x/')).json()).toEqual({ response: '' });
  });
  it('numbers, booleans and null are rendered as well', async () => {
    expect((await marked(new ResourceMarker(), () => 3).inject('/r/x/')).json()).toEqual({ response: 3 });
    expect((await marked(new ResourceMarker(), () => false).inject('/r/x/')).json()).toEqual({ response: false });
    expect((await marked(new ResourceMarker(), () => null).inject('/r/x/')).json()).toEqual({ response: null });
  });
});

describe('update, renaming and schema fields (checklist items 13 to 22)', () => {
  it('item 13: update is merged, view keys win, a non-object update is ignored', async () => {
    const app = marked(new ResourceMarker({ update: { k: 'v', a: 'update' } }), () => ({ a: 'view' }));
    expect((await app.inject('/r/x/')).json()).toEqual({ k: 'v', a: 'view' });
    const list = marked(new ResourceMarker({ update: { x: 'y' } }), () => [1, 2]);
    expect((await list.inject('/r/x/')).json()).toEqual({ response: [1, 2], x: 'y' });
    const ignored = marked(new ResourceMarker({ update: ['not', 'an', 'object'] }), () => [1]);
    expect((await ignored.inject('/r/x/')).json()).toEqual({ response: [1] });
  });

  it('item 14: response renamed to "result" in JSON and in the browser schema', async () => {
    const schema = new ResourceSchema({ response: 'result' });
    expect(schema.browser.response).toBe('result');
    const app = marked(new ResourceMarker({ schema }), () => [1]);
    expect((await app.inject('/r/x/')).json()).toEqual({ result: [1] });
  });

  it('item 15: responseUpdate=false wraps dicts, and the browser schema wraps exactly once', async () => {
    const schema = new ResourceSchema({ response: 'result', responseUpdate: false, statusCode: 'status' });
    const app = marked(new ResourceMarker({ schema, update: { resource_created: 'now' } }), () => ({
      hello: 'Hello, world',
    }));
    expect((await app.inject('/r/x/')).json()).toEqual({
      result: { hello: 'Hello, world' },
      status: 200,
      resource_created: 'now',
    });
    expect(schema.browser.responseUpdate).toBe(false);
    const browserBody = envelope({ hello: 'Hello, world' }, schema.browser, {
      method: 'GET',
      requestData: {},
      status: 200,
      statusText: 'OK',
      headers: {},
      rule: '/r/<string:y>/',
      methods: ['GET'],
      update: { resource_created: 'now' },
      info: undefined,
      listing: () => undefined,
    });
    expect(browserBody).toMatchObject({ result: { hello: 'Hello, world' }, status: 200, resource_created: 'now' });
    expect((browserBody as { result: unknown }).result).toEqual({ hello: 'Hello, world' });
  });

  it('item 16: statusCode adds the integer status under the given key', async () => {
    const app = marked(new ResourceMarker({ schema: new ResourceSchema({ statusCode: 'status' }) }), () => [1]);
    expect((await app.inject('/r/x/')).json()).toEqual({ response: [1], status: 200 });
  });

  it('item 17: status holds the full status line, custom text included', async () => {
    const schema = new ResourceSchema({ status: 'status' });
    const ok = marked(new ResourceMarker({ schema }), () => [1]);
    expect((await ok.inject('/r/x/')).json()).toEqual({ response: [1], status: '200 OK' });
    const custom = marked(new ResourceMarker({ schema }), () => reply([1], '299 CUSTOM'));
    const res = await custom.inject('/r/x/');
    expect(res.statusCode).toBe(299);
    expect(res.json()).toEqual({ response: [1], status: '299 CUSTOM' });
  });

  it('item 18: resource holds the rule template and methods the method list', async () => {
    const schema = new ResourceSchema({ resource: 'resource', methods: 'methods' });
    const app = marked(new ResourceMarker({ schema }), () => ({}));
    expect((await app.inject('/r/x/')).json()).toEqual({
      resource: '/r/<string:y>/',
      methods: ['GET', 'HEAD', 'OPTIONS'],
    });
  });

  it('item 19: request appears only when the parsed body is non-empty', async () => {
    const schema = new ResourceSchema({ request: 'request' });
    const app = marked(new ResourceMarker({ schema }), () => [1], { methods: ['POST'] });
    const withBody = await app.inject({ method: 'POST', url: '/r/x/', payload: { k: 'v' } });
    expect(withBody.json()).toEqual({ response: [1], request: { k: 'v' } });
    const empty = await app.inject({ method: 'POST', url: '/r/x/', payload: {} });
    expect(empty.json()).toEqual({ response: [1] });
  });

  it('item 20: ignoreForMethods returns the data raw, without envelope or update', async () => {
    const schema = new ResourceSchema({ ignoreForMethods: ['POST'] });
    const app = marked(new ResourceMarker({ schema, update: { u: 1 } }), () => [1], { methods: ['GET', 'POST'] });
    expect((await app.inject({ method: 'POST', url: '/r/x/' })).json()).toEqual([1]);
    expect((await app.inject('/r/x/')).json()).toEqual({ response: [1], u: 1 });
  });

  it('item 21: response=null with non-object data yields {}', async () => {
    const app = marked(new ResourceMarker({ schema: new ResourceSchema({ response: null }) }), () => [1]);
    expect((await app.inject('/r/x/')).json()).toEqual({});
  });

  it('item 22: the info key plus a marker info value adds it', async () => {
    const app = marked(
      new ResourceMarker({ schema: new ResourceSchema({ info: 'about' }), info: { v: 1 } }),
      () => ({}),
    );
    expect((await app.inject('/r/x/')).json()).toEqual({ about: { v: 1 } });
  });

  it('headers shows the JSON response headers, custom ones included', async () => {
    const schema = new ResourceSchema({ headers: 'headers' });
    const app = marked(new ResourceMarker({ schema }), () => reply([1], 200, { 'x-extra': 'yes' }));
    const res = await app.inject('/r/x/');
    expect(res.headers['x-extra']).toBe('yes');
    expect(res.json()).toEqual({
      response: [1],
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'x-extra': 'yes' },
    });
  });
});

describe('app-wide schema (checklist item 23, DOC: a default under the marker fields)', () => {
  it('applies the app schema where the marker does not override it', async () => {
    const app = new Microservice('schema', { schema: { statusCode: 'code', response: 'data' } });
    app.get('/a/', { resource: new ResourceMarker() }, () => [1]);
    app.get('/b/', { resource: new ResourceMarker({ schema: { response: 'items' } }) }, () => [2]);
    app.get('/c/', { resource: {} }, () => [3]);
    expect((await app.inject('/a/')).json()).toEqual({ data: [1], code: 200 });
    expect((await app.inject('/b/')).json()).toEqual({ items: [2], code: 200 });
    expect((await app.inject('/c/')).json()).toEqual({ data: [3], code: 200 });
  });
});

describe('browser schema (checklist item 24; issue 15 makes the seed envelope an option)', () => {
  it('by default the page uses the JSON schema itself: it shows the body a program gets', async () => {
    const schema = new ResourceSchema({ statusCode: 'code' });
    expect(schema.browser).toBe(schema);
    const app = marked(new ResourceMarker({ schema }), () => ({ title: 'A note' }));
    const json = (await app.inject('/r/x/')).json();
    expect(json).toEqual({ title: 'A note', code: 200 });
    const page = (await app.inject({ url: '/r/x/', headers: HTML })).body;
    const shown = page.slice(
      page.indexOf('<pre class="response"'),
      page.indexOf('</pre>', page.indexOf('<pre class="response"')),
    );
    // The metadata sits in the page's own blocks (status line, headers, method chips), not in the body.
    expect(shown).toContain('HTTP 200 OK');
    expect(shown).not.toContain('status_code');
    expect(shown).not.toContain('&quot;methods&quot;');
    expect(page).toContain('<p class="allowed">');
  });

  it('item 24 as an option: a BrowserResourceSchema shows status, status_code, headers, resource, methods and response, and no listing', () => {
    const browser = new ResourceSchema({ browser: new BrowserResourceSchema() }).browser;
    expect(browser).toBeInstanceOf(BrowserResourceSchema);
    expect(browser.toJSON()).toMatchObject({
      response: 'response',
      status: 'status',
      statusCode: 'status_code',
      headers: 'headers',
      resource: 'resource',
      methods: 'methods',
      resources: null,
      request: 'request',
    });
  });

  it('renders the seed browser envelope on the HTML page when asked for, per marker or app-wide', async () => {
    const perMarker = marked(
      new ResourceMarker({ schema: new ResourceSchema({ browser: new BrowserResourceSchema() }) }),
      () => 'SECOND',
    );
    const appWide = marked(new ResourceMarker(), () => 'SECOND', {
      app: new Microservice('envelope', { schema: { browser: new BrowserResourceSchema() } }),
    });
    for (const app of [perMarker, appWide]) {
      const page = (await app.inject({ url: '/r/x/', headers: HTML })).body;
      for (const key of ['status_code', 'headers', 'resource', 'methods', 'response', 'SECOND', '200 OK']) {
        expect(page, key).toContain(`&quot;${key}&quot;`);
      }
      expect((await app.inject('/r/x/')).json()).toEqual({ response: 'SECOND' });
    }
  });

  it('BaseResourceSchema names nothing', () => {
    expect(new BaseResourceSchema().toJSON()).toMatchObject({ response: null, status: null, responseUpdate: true });
  });
});

describe('TestSchemaRenderer (seed test, ported)', () => {
  it('renders every customised name, update, info and request, then the browser wrap with responseUpdate=false', async () => {
    const schema = new ResourceSchema({
      response: 'test_response',
      status: 'test_status',
      request: 'test_request',
      statusCode: 'test_status_code',
      headers: 'test_headers',
      resources: 'test_resources',
      resource: 'test_resource',
      methods: 'test_methods',
      info: 'test_info',
      ignoreForMethods: ['TEST_METHOD'],
      browser: { responseUpdate: false },
    });
    const app = new Microservice('renderer');
    app.route(
      '/resource/',
      { methods: ['POST'], resource: new ResourceMarker({ schema, update: { updated: true }, info: 'tested' }) },
      () => ({ data: 'tested' }),
    );
    app.get(
      '/another_resource/',
      { resource: new ResourceMarker({ url: 'http://example.com/another_resource' }) },
      () => ({}),
    );
    app.get('/none_url/', { resource: new ResourceMarker({ url: () => null }) }, () => ({}));
    const res = await app.inject({ method: 'POST', url: '/resource/', payload: { req: 1 } });
    expect(res.json()).toEqual({
      test_info: 'tested',
      test_request: { req: 1 },
      test_status: '200 OK',
      test_status_code: 200,
      test_headers: { 'Content-Type': 'application/json; charset=utf-8' },
      test_resource: '/resource/',
      test_methods: ['POST', 'OPTIONS'],
      test_resources: {
        '/another_resource/': { methods: ['GET', 'HEAD', 'OPTIONS'], url: 'http://example.com/another_resource' },
        '/none_url/': { methods: ['GET', 'HEAD', 'OPTIONS'], url: null },
      },
      updated: true,
      data: 'tested',
    });
    expect(schema.browser.response).toBe('test_response');
    expect(schema.browser.responseUpdate).toBe(true);
    const browserOnly = new ResourceSchema({ responseUpdate: false });
    expect(browserOnly.browser.responseUpdate).toBe(false);
  });
});
