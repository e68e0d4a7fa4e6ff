import { Microservice, ResourceMarker, ResourceSchema } from 'microservices-ts/http';
import { describe, expect, it } from 'vitest';

function listingApp(): Microservice {
  const app = new Microservice('listing');
  app.get(
    '/list/',
    { resource: new ResourceMarker({ schema: new ResourceSchema({ resources: 'resources' }) }) },
    () => ({}),
  );
  return app;
}

async function listing(app: Microservice, host = 'localhost') {
  const res = await app.inject({ url: '/list/', headers: { host } });
  return res.json().resources as Record<string, Record<string, unknown>> | undefined;
}

describe('resources listing (checklist items 25 to 28)', () => {
  it('item 25: lists every other marked rule with methods and url, excludes itself, omits the key when empty', async () => {
    const alone = listingApp();
    expect(await listing(alone)).toBeUndefined();
    const app = listingApp();
    app.get('/test/', { resource: new ResourceMarker() }, function test() {
      return {};
    });
    app.get('/plain/', () => ({}));
    expect(await listing(app)).toEqual({
      '/test/': { methods: ['GET', 'HEAD', 'OPTIONS'], url: 'http://localhost/test/' },
    });
  });

  it('item 26: url=true uses urlParams; _external:false gives a relative path; a missing parameter omits url', async () => {
    const app = listingApp();
    app.get(
      '/test/<one>/<int:two>',
      { resource: new ResourceMarker({ urlParams: { one: '1', two: 2 } }) },
      function t1() {
        return {};
      },
    );
    app.get('/rel/<x>/', { resource: new ResourceMarker({ urlParams: { x: 'a', _external: false } }) }, function t2() {
      return {};
    });
    app.get('/needs/<x>/', { resource: new ResourceMarker() }, function t3() {
      return {};
    });
    const result = await listing(app);
    expect(result?.['/test/<one>/<int:two>']).toEqual({
      methods: ['GET', 'HEAD', 'OPTIONS'],
      url: 'http://localhost/test/1/2',
    });
    expect(result?.['/rel/<x>/']?.url).toBe('/rel/a/');
    expect(result?.['/needs/<x>/']).toEqual({ methods: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it('item 27: string, function, false and null urls', async () => {
    const app = listingApp();
    app.get('/s/', { resource: new ResourceMarker({ url: 'http://example.com/s' }) }, () => ({}));
    app.get('/f/', { resource: new ResourceMarker({ url: (record) => `tested ${record.rule}` }) }, () => ({}));
    app.get('/no/', { resource: new ResourceMarker({ url: false }) }, () => ({}));
    app.get('/null/', { resource: new ResourceMarker({ url: null }) }, () => ({}));
    app.get('/plain-object/', { resource: {} }, () => ({}));
    const result = await listing(app);
    expect(result?.['/s/']?.url).toBe('http://example.com/s');
    expect(result?.['/f/']?.url).toBe('tested /f/');
    expect(result?.['/no/']?.url).toBe(false);
    expect(result?.['/null/']?.url).toBeNull();
    expect(result?.['/plain-object/']).toEqual({ methods: ['GET', 'HEAD', 'OPTIONS'] });
  });

  it('item 28: inResources exposes schema, update and other record fields; [] still lists the rule as {}', async () => {
    const app = listingApp();
    app.get(
      '/x/',
      { resource: new ResourceMarker({ inResources: ['schema', 'update', 'rule', 'endpoints'], update: { u: 1 } }) },
      function x() {
        return {};
      },
    );
    app.get('/hidden/', { resource: new ResourceMarker({ inResources: [] }) }, () => ({}));
    const result = await listing(app);
    expect(result?.['/x/']).toMatchObject({ update: { u: 1 }, rule: '/x/', endpoints: ['x'] });
    expect(result?.['/x/']?.schema).toMatchObject({ response: 'response', responseUpdate: true });
    expect(result?.['/hidden/']).toEqual({});
  });

  it('computes URLs per request from that request host (never cached from the first one)', async () => {
    const app = listingApp();
    app.get('/test/', { resource: new ResourceMarker() }, function test() {
      return {};
    });
    expect((await listing(app, 'one.test'))?.['/test/']?.url).toBe('http://one.test/test/');
    expect((await listing(app, 'two.test:81'))?.['/test/']?.url).toBe('http://two.test:81/test/');
  });
});

describe('TestHelpers.test_url_resource (seed test, ported)', () => {
  it('resolves url params, None/False, a callable and a build error', async () => {
    const app = listingApp();
    app.get('/test/<one>/<two>', { resource: new ResourceMarker({ urlParams: { one: '1', two: 2 } }) }, function a() {
      return {};
    });
    app.get('/n/', { resource: new ResourceMarker({ url: null }) }, () => ({}));
    app.get('/f/', { resource: new ResourceMarker({ url: false }) }, () => ({}));
    app.get('/c/', { resource: new ResourceMarker({ url: () => 'tested' }) }, () => ({}));
    app.get('/b/<missing>', { resource: new ResourceMarker({ urlParams: {} }) }, function b() {
      return {};
    });
    const result = await listing(app);
    expect(result?.['/test/<one>/<two>']?.url).toBe('http://localhost/test/1/2');
    expect(result?.['/n/']?.url).toBeNull();
    expect(result?.['/f/']?.url).toBe(false);
    expect(result?.['/c/']?.url).toBe('tested');
    expect(result?.['/b/<missing>']).not.toHaveProperty('url');
  });
});
