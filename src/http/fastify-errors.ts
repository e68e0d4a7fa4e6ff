/**
 * Errors raised outside the handlers: Fastify's own (body too large, malformed Content-Type or Content-Length,
 * a malformed URL such as `/%zz/`) and those thrown by hooks and plugins. Rendered as negotiated
 * `{"message": ...}` like every other error, never Fastify's raw body; an API exception thrown by a hook on a
 * rule's route renders inside that rule's envelope, as it would from the handler.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { logWith } from '../logging/fields.js';
import { type DispatchService, RequestContext } from './dispatch.js';
import { APIException } from './errors.js';
import { groupOf } from './fastify-routes.js';

const MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported media type in the request Content-Type header.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length.',
  FST_ERR_BAD_URL: 'The request URL is malformed.',
};

/**
 * Renders `error` for `request`; the service's Fastify `errorHandler` and `frameworkErrors`.
 * @example fastify.setErrorHandler((error, request, reply) => renderFastifyError(view, error, request, reply));
 */
export function renderFastifyError(
  service: DispatchService,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const context = new RequestContext(service, request, reply);
  if (error instanceof APIException) {
    context.group = groupOf(request);
    context.fail(error);
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) {
    const where = `${request.url} [${request.method}]`;
    logWith(service.logger, 'error', { err: error, method: request.method, url: request.url }, `Exception on ${where}`);
  }
  const message = status >= 500 ? 'Internal Server Error' : (MESSAGES[error.code] ?? error.message);
  if (status === 413) reply.header('connection', 'close');
  const statusText = STATUS_CODES[status] ?? 'Error';
  // A client error (bad URL, body too large) is about the request: no server stack, even with exposeErrors.
  context.showFrameworkError({ status, statusText, message, ...(status >= 500 ? { detail: error.stack } : {}) });
}

/**
 * Answers a request refused before any rule is involved (a Host outside `allowedHosts`): negotiated like the
 * service's 404, never inside a rule's envelope (whose listing would name the service's URLs).
 * @example installHostPolicy(fastify, options, (request, reply, error) => refuseRequest(view, error, request, reply));
 */
export function refuseRequest(
  service: DispatchService,
  error: APIException,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  new RequestContext(service, request, reply).fail(error);
}
