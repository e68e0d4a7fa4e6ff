import { Microservice } from 'microservices-ts/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnFreePort, rawExchange } from './raw-http.js';

/** RELIABILITY §3.1: the nine request-smuggling and parser probes; each must be refused and the connection closed. */
const PROBES: [string, string, number][] = [
  [
    'TE and CL together',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    400,
  ],
  ['duplicate CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd', 400],
  ['Content-Length: +5', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde', 400],
  ['bare-LF line endings', 'GET / HTTP/1.1\nHost: x\n\n', 400],
  ['space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
  ['missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
  ['obs-fold header', 'GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n', 400],
  ['Transfer-Encoding: xchunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n', 400],
  ['17 KB header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
];

describe('F7 parser and smuggling probes', () => {
  let calls = 0;
  const app = new Microservice('probes');
  app.route('/', { methods: ['GET', 'POST'] }, () => {
    calls++;
    return {};
  });
  let port = 0;
  beforeAll(async () => {
    port = await listenOnFreePort(app);
  });
  afterAll(() => app.close());

  it('serves a well-formed request (the probes below are refused for their defect, not by accident)', async () => {
    const ok = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(ok.status).toBe(200);
  });

  it.each(PROBES)('refuses %s and closes the connection', async (_name, request, status) => {
    calls = 0;
    const result = await rawExchange(port, [request], 3000);
    expect(result.status).toBe(status);
    expect(result.closed).toBe(true);
    expect(calls).toBe(0);
  });

  it('F6: an unknown method token is refused by the parser with 400, a method Fastify does not route with 405; never 500', async () => {
    const unknown = await rawExchange(port, ['FOO / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(unknown.status).toBe(400);
    const propfind = await rawExchange(port, ['PROPFIND / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(propfind.status).toBe(405);
    expect(propfind.response).toMatch(/Allow: GET, HEAD, POST, OPTIONS/i);
  });

  it('never enables the lenient HTTP parser', () => {
    expect((app.fastify.server as unknown as { insecureHTTPParser: boolean }).insecureHTTPParser).toBe(false);
  });
});
