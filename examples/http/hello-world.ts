/**
 * The seed README's HTTP example, ported one to one: `npm start`, then
 * `curl -H 'Accept: application/json' http://127.0.0.1:5000/second/one/2/` gives `{"response":["one",2]}`.
 * PORT and HOST override the address.
 */

import { pathToFileURL } from 'node:url';
import { setLogging } from 'microservices-ts';
import { Microservice, ResourceMarker, run } from 'microservices-ts/http';

/** Builds the example service (the tests import this to check every route). */
export function createHelloWorld(): Microservice {
  const microservice = new Microservice('hello-world');

  microservice.route(
    '/second/',
    { resource: new ResourceMarker(), description: 'Second resource\n\n* GET: return "SECOND"' },
    function second() {
      return 'SECOND';
    },
  );

  microservice.route('/second/', { resource: new ResourceMarker(), methods: ['POST'] }, function second_post(req) {
    return req.data;
  });

  microservice.route(
    '/second/<string:test>/',
    {
      resource: new ResourceMarker({ urlParams: { test: 'something' } }),
      methods: ['POST', 'GET'],
      description: 'Second resource\n\n* POST: return request data\n* GET: return test param',
    },
    function second_params(req) {
      if (req.method === 'POST') return req.data;
      return req.params.test;
    },
  );

  microservice.route(
    '/second/<string:test>/<int:two>/',
    {
      resource: new ResourceMarker({ url: (_record, context) => context.urlFor('second', {}, { external: true }) }),
      methods: ['POST', 'GET'],
      description: 'Second resource\n\n* POST: return [test, two, request data]\n* GET: return [test, two]',
    },
    function second_params_two(req) {
      if (req.method === 'POST') return [req.params.test, req.params.two, req.data];
      return [req.params.test, req.params.two];
    },
  );

  microservice.route(
    '/',
    {
      endpoint: 'Hello, world!',
      methods: ['GET', 'POST'],
      resource: new ResourceMarker(),
      description:
        'Hello, world resource, testing main page\n\n* GET: return POST something for hello\n* POST: return request data',
    },
    function hello(req) {
      if (req.method === 'POST') return req.data;
      return 'POST something for hello';
    },
  );

  return microservice;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  setLogging('info');
  await run(createHelloWorld(), {
    port: Number(process.env.PORT ?? 5000),
    host: process.env.HOST ?? '127.0.0.1',
    debug: true,
  });
}
