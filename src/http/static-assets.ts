/**
 * Serves the browsable page's assets at `/api/static/*` from the fixed asset set (never from the file
 * system by path, so traversal has nothing to reach), with ETag revalidation and an hour of caching.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findStaticAsset } from './browsable/static.js';

/** The URL prefix of the page's assets, as in the seed. */
export const STATIC_PREFIX = '/api/static/';

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends the asset for `path` (which starts with `STATIC_PREFIX`) and returns true, or returns false when
 * there is no such asset (the caller sends a 404).
 * @example if (!serveStaticAsset(request, reply, '/api/static/css/page.css')) notFound();
 */
export function serveStaticAsset(request: FastifyRequest, reply: FastifyReply, path: string): boolean {
  const below = safeDecode(path.slice(STATIC_PREFIX.length));
  if (below === undefined || below.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    return false;
  }
  const asset = findStaticAsset(below);
  if (!asset) return false;
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', 'public, max-age=3600');
  reply.header('etag', asset.etag);
  const match = request.headers['if-none-match'];
  if (match?.split(',').some((tag) => tag.trim() === asset.etag || tag.trim() === '*')) {
    reply.code(304).send();
    return true;
  }
  reply.header('content-type', asset.contentType);
  reply.send(asset.body);
  return true;
}
