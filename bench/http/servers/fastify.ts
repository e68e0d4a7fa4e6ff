/** Peer: raw Fastify 5, the engine under the toolkit's HTTP service, with the same routes. */
import Fastify from 'fastify';
import { renderPeerPage } from '../peer-page.js';
import * as work from '../workload.js';
import type { RunningServer } from './running-server.js';

/** Starts the raw Fastify peer. */
export async function start(): Promise<RunningServer> {
  const app = Fastify({ logger: false, bodyLimit: work.BODY_LIMIT_BYTES });
  app.get(work.PLAIN_PATH, async (_request, reply) => {
    reply.headers(work.RESPONSE_HEADERS);
    return work.PLAIN_BODY;
  });
  app.get(work.RESOURCE_PATH, async (request, reply) => {
    const envelope = { response: work.RESOURCE_DATA };
    reply.headers(work.RESPONSE_HEADERS);
    if (work.wantsHtml(request.headers.accept)) {
      return reply.type('text/html; charset=utf-8').send(renderPeerPage('GET', request.url, envelope));
    }
    return envelope;
  });
  app.post(work.ECHO_PATH, async (request, reply) => {
    reply.headers(work.RESPONSE_HEADERS);
    return request.body;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify is not listening on TCP');
  return { port: address.port, close: () => app.close() };
}
