/**
 * Errors Fastify raises before a request reaches the dispatcher (body too large, malformed Content-Type or
 * Content-Length, bad URL): rendered as negotiated `{"message": ...}` like every other error, never a 500.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { requestOrigin } from './hosts.js';
import { negotiate } from './negotiation.js';
import { type ServiceView, sendError } from './respond.js';

const MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported media type in the request Content-Type header.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length.',
  FST_ERR_BAD_URL: 'The request URL is malformed.',
};

/**
 * Installs the error handler on `fastify`.
 * @example installErrorHandler(app.fastify, serviceView);
 */
export function installErrorHandler(
  fastify: FastifyInstance,
  service: ServiceView & { logger: { error(message: string): void } },
): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500)
      service.logger.error(`Exception on ${request.url} [${request.method}]: ${error.stack ?? error.message}`);
    const message = status >= 500 ? 'Internal Server Error' : (MESSAGES[error.code] ?? error.message);
    const url = request.url;
    const origin = requestOrigin(request);
    if (status === 413) reply.header('connection', 'close');
    sendError(
      {
        reply,
        service,
        method: request.method,
        fullPath: url,
        origin,
        negotiated: negotiate(request.headers.accept),
        group: undefined,
        entry: undefined,
        requestData: {},
        urlContext: { urlFor: () => '' },
      },
      { status, statusText: STATUS_CODES[status] ?? 'Error', message, detail: error.stack },
      false,
    );
  });
}
