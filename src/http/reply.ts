/**
 * What a handler may return besides plain data: `reply(body, status, headers)` sets the status (a number or
 * a status line such as `'299 CUSTOM'`) and headers. A plain array is always data: JavaScript has no runtime
 * tuple, so `[body, status]` would be ambiguous with a list such as `['one', 2]`.
 */
import { STATUS_CODES } from 'node:http';
import { assertValidHeaders, isValidReasonPhrase } from './headers.js';

/**
 * A handler result carrying a status and headers.
 * @example return new HttpReply({ id: 1 }, 201, { location: '/notes/1/' });
 */
export class HttpReply<T = unknown> {
  readonly body: T;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(body: T, status: number | string = 200, headers: Readonly<Record<string, string>> = {}) {
    this.body = body;
    const parsed = parseStatus(status);
    this.status = parsed.status;
    this.statusText = parsed.statusText;
    // Node would refuse a bad header only when writing the head, after the handler is gone; refuse it here.
    assertValidHeaders(headers, 'reply()');
    this.headers = headers;
  }
}

/**
 * The status and reason phrase for `201` or `'299 CUSTOM'`. Only final statuses (200 to 599) can be a reply:
 * a 1xx would leave the client waiting for a final response that never comes.
 * @example parseStatus('299 CUSTOM'); // { status: 299, statusText: 'CUSTOM' }
 */
export function parseStatus(status: number | string): { status: number; statusText: string } {
  if (typeof status === 'number') return { status: finalStatus(status), statusText: STATUS_CODES[status] ?? 'Unknown' };
  const match = /^(\d{3})(?: (.*))?$/.exec(status.trim());
  if (!match) throw new RangeError(`Invalid status line "${status}"`);
  const code = finalStatus(Number(match[1]));
  const statusText = match[2] || STATUS_CODES[code] || 'Unknown';
  if (!isValidReasonPhrase(statusText)) {
    throw new RangeError(`Invalid reason phrase in status line "${status}": only Latin-1 text without controls`);
  }
  return { status: code, statusText };
}

function finalStatus(status: number): number {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    const why = status >= 100 && status < 200 ? ' (informational statuses are sent by Node, not replied)' : '';
    throw new RangeError(`Invalid reply status ${status}${why}: use 200 to 599`);
  }
  return status;
}

/**
 * Returns `body` with a status and headers: the seed's `(body, status, headers)` tuple.
 * @example app.post('/notes/', (req) => reply({ created: true }, 201, { location: '/notes/1/' }));
 */
export function reply<T>(
  body: T,
  status: number | string = 200,
  headers: Readonly<Record<string, string>> = {},
): HttpReply<T> {
  return new HttpReply(body, status, headers);
}
