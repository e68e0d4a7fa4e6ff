/**
 * Which host the service names in absolute URLs (the resources listing, `urlFor(..., { external: true })`, the
 * page's same-origin links and the form-override origin check). The `Host` header is whatever the client sent,
 * so it is used only when it is well formed and, with `allowedHosts`, listed; `publicUrl` replaces it outright.
 * Without a usable host the URL names the address the connection reached, never an empty host.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CODES } from '../errors.js';
import { APIException } from './errors.js';

/**
 * The host options of a service (see `MicroserviceOptions`).
 * @example new Microservice('notes', { allowedHosts: ['api.example.com', '*.internal.example.com:8443'] });
 */
export interface HostOptions {
  /**
   * Hosts this service answers for: `name` (any port), `name:port`, `*.domain` (any subdomain), `[::1]:5000`.
   * Requests naming another host (in `Host`, or in `X-Forwarded-Host` from a peer `trustProxy` trusts) get
   * 400. Unset, any well-formed host is answered and echoed in absolute URLs: set it (or `publicUrl`) in production.
   */
  readonly allowedHosts?: readonly string[] | undefined;
  /** `http(s)://host[:port]` used for every absolute URL whatever the request says (`https://api.example.com`). */
  readonly publicUrl?: string | undefined;
}

/** A well-formed `Host` value: a DNS-like name or an IPv4/IPv6 literal, and an optional port. */
const HOST_SYNTAX = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{1,5})?$/;
const MAX_HOST_LENGTH = 261;

interface HostPattern {
  /** The lower-cased name; for `*.example.com`, `.example.com`. */
  readonly name: string;
  readonly wildcard: boolean;
  /** `undefined`: any port. */
  readonly port: string | undefined;
}

function splitHost(host: string): { name: string; port: string | undefined } {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.endsWith(']')) return { name: host.toLowerCase(), port: undefined };
  return { name: host.slice(0, colon).toLowerCase(), port: host.slice(colon + 1) };
}

function parsePattern(entry: string): HostPattern {
  const wildcard = entry.startsWith('*.');
  const host = wildcard ? entry.slice(2) : entry;
  if (!HOST_SYNTAX.test(host)) {
    throw new TypeError(`allowedHosts: "${entry}" is not a host name, "name:port", "*.domain" or "[ipv6]:port"`);
  }
  const { name, port } = splitHost(host);
  return { name: wildcard ? `.${name}` : name, wildcard, port };
}

function parsePublicUrl(publicUrl: string): URL {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new TypeError(`publicUrl: "${publicUrl}" is not a URL`);
  }
  const bare = url.username === '' && url.password === '' && url.pathname === '/' && !url.search && !url.hash;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new TypeError(`publicUrl: "${publicUrl}" must be "http(s)://host[:port]" with no path, query or credentials`);
  }
  return url;
}

/** The `host[:port]` the connection reached: the socket's local address, else the listening address. */
function reachedAuthority(request: FastifyRequest, protocol: string): string {
  const socket = request.raw.socket as { localAddress?: string; localPort?: number } | undefined;
  let address = socket?.localAddress;
  let port = socket?.localPort;
  if (address === undefined) {
    const listening = request.server?.server?.address();
    if (listening !== null && typeof listening === 'object') ({ address, port } = listening);
  }
  if (address === undefined || address === '' || address === '0.0.0.0' || address === '::') address = 'localhost';
  if (address.startsWith('::ffff:') && address.includes('.')) address = address.slice(7);
  const name = address.includes(':') ? `[${address}]` : address;
  const defaultPort = protocol === 'https' ? 443 : 80;
  return port === undefined || port === defaultPort ? name : `${name}:${port}`;
}

/** One service's host rules. */
export class HostPolicy {
  readonly #patterns: readonly HostPattern[] | undefined;
  readonly #publicOrigin: string | undefined;
  // The last origin worked out, by host and protocol: nearly every request repeats the previous one's.
  #lastHost = '';
  #lastProtocol = '';
  #lastOrigin = '';

  constructor(options: HostOptions = {}) {
    const publicUrl = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
    this.#publicOrigin = publicUrl?.origin;
    if (options.allowedHosts !== undefined) {
      const patterns = options.allowedHosts.map(parsePattern);
      // The public host is always allowed: a proxy may pass it through unchanged.
      if (publicUrl) patterns.push(parsePattern(publicUrl.host));
      this.#patterns = patterns;
    }
  }

  /** Whether requests are checked against `allowedHosts`. */
  get checksHosts(): boolean {
    return this.#patterns !== undefined;
  }

  /**
   * Whether a request naming `host` is answered: any well-formed host without `allowedHosts`, else a listed
   * one. A request without a host (HTTP/1.0) is answered; its URLs name the public or reached address.
   */
  allows(host: string): boolean {
    if (host === '') return true;
    if (host.length > MAX_HOST_LENGTH || !HOST_SYNTAX.test(host)) return false;
    const patterns = this.#patterns;
    if (patterns === undefined) return true;
    const { name, port } = splitHost(host);
    for (const pattern of patterns) {
      if (pattern.port !== undefined && pattern.port !== port) continue;
      if (pattern.wildcard ? name.endsWith(pattern.name) && name.length > pattern.name.length : name === pattern.name)
        return true;
    }
    return false;
  }

  /** `scheme://host[:port]` for this request's absolute URLs. */
  origin(request: FastifyRequest): string {
    if (this.#publicOrigin !== undefined) return this.#publicOrigin;
    const protocol = request.protocol === 'https' ? 'https' : 'http';
    const host = request.host;
    if (host === this.#lastHost && protocol === this.#lastProtocol && host !== '') return this.#lastOrigin;
    if (host === '' || !this.allows(host)) return `${protocol}://${reachedAuthority(request, protocol)}`;
    this.#lastHost = host;
    this.#lastProtocol = protocol;
    this.#lastOrigin = `${protocol}://${host}`;
    return this.#lastOrigin;
  }
}

const HOST_POLICY = Symbol('microservices.hostPolicy');
const DEFAULT_POLICY = new HostPolicy();

/** Sends the answer to a refused request (the service renders it like its 404, outside any rule). */
export type RefuseRequest = (request: FastifyRequest, reply: FastifyReply, error: APIException) => void;

/**
 * Attaches the host rules to `fastify` and, with `allowedHosts`, refuses other hosts with 400 before the
 * request reaches its rule: `refuse` answers it, negotiated like every error.
 * @example installHostPolicy(app.fastify, { allowedHosts: ['api.example.com'] }, (request, reply, error) => reply.code(400).send(error.detail));
 */
export function installHostPolicy(fastify: FastifyInstance, options: HostOptions, refuse: RefuseRequest): void {
  const policy = new HostPolicy(options);
  fastify.decorate(HOST_POLICY, policy);
  if (!policy.checksHosts) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (policy.allows(request.host)) {
      done();
      return;
    }
    // Answered here rather than through `done(error)`: the error handler renders hook errors inside the rule.
    const error = new APIException('The request names a host this service does not serve.', {
      status: 400,
      code: CODES.MS_HTTP_BAD_HOST,
    });
    refuse(request, reply, error);
  });
}

/**
 * `scheme://host[:port]` for a request's absolute URLs, under the rules installed on its Fastify instance.
 * @example const origin = requestOrigin(request); // 'https://api.example.com'
 */
export function requestOrigin(request: FastifyRequest): string {
  const policy = (request.server as unknown as Record<symbol, HostPolicy | undefined> | undefined)?.[HOST_POLICY];
  return (policy ?? DEFAULT_POLICY).origin(request);
}
