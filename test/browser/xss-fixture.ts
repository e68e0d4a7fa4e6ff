/**
 * A service whose every page carries the XSS corpus: in the endpoint name (title), the description, the data
 * (values, keys, lists, URL-looking strings), header values (one per payload plus a long comma list), the path
 * and the query. A route that throws puts payloads on the 500 page.
 */
import { Microservice, ResourceMarker, reply } from 'microservices-ts/http';
import { HEADER_PAYLOADS, LONG_HEADER_PAYLOAD, XSS_PAYLOADS } from './xss-corpus.js';

const DESCRIPTION = XSS_PAYLOADS.map((payload, index) => `* ${index}: ${payload}`).join('\n');

function payloadHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'X-Long': LONG_HEADER_PAYLOAD };
  HEADER_PAYLOADS.forEach((payload, index) => {
    headers[`X-Payload-${index}`] = payload;
  });
  return headers;
}

export function createXssService(): Microservice {
  const app = new Microservice('<script>alert("service")</script>', { debug: true });
  const headers = payloadHeaders();
  app.route(
    '/xss/<int:index>/<path:rest>',
    {
      endpoint: '<img src=x onerror=alert("endpoint")>',
      description: DESCRIPTION,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      resource: new ResourceMarker(),
    },
    (request) => {
      const payload = XSS_PAYLOADS[request.params.index] ?? '';
      return reply(
        {
          payload,
          [payload]: { nested: [payload, { link: payload }] },
          rest: request.params.rest,
          query: request.query,
        },
        200,
        headers,
      );
    },
  );
  app.route('/boom/<path:rest>', { endpoint: 'boom' }, (request) => {
    throw new Error(`${XSS_PAYLOADS[0]} ${request.params.rest}`);
  });
  return app;
}

/** The path of payload `index`'s page: the payload as path segments and as the `q` query value. */
export function payloadPath(index: number): string {
  const payload = XSS_PAYLOADS[index] ?? '';
  const asPath = payload.replace(/[?#%]/g, (ch) => encodeURIComponent(ch));
  // The `p` keeps a payload starting with `/` from making an empty segment (`<path:…>` cannot start with `/`).
  return `/xss/${index}/p${asPath}?q=${encodeURIComponent(payload)}&raw=${payload.replace(/[#&%]/g, (ch) => encodeURIComponent(ch))}`;
}
