/**
 * What every HTTP server in the benchmark serves, so that each peer does the same work as the toolkit:
 * (a) a plain route returning an object, (b) a marked resource whose handler returns a list and is wrapped
 * in the default envelope `{"response": ...}`, (c) the same resource asked for by a browser (HTML page),
 * (d) a POST whose JSON body is parsed and echoed back.
 */

export const PLAIN_PATH = '/plain/';
export const RESOURCE_PATH = '/resource/';
export const ECHO_PATH = '/echo/';

/**
 * The headers the toolkit puts on every negotiated response, which every peer sends too so that all return
 * the same response head: `Vary: Accept` because each route answers JSON or HTML by the Accept header (a cache
 * must not serve one for the other), and `X-Content-Type-Options: nosniff`.
 */
export const RESPONSE_HEADERS = { vary: 'Accept', 'x-content-type-options': 'nosniff' } as const;

/** The object the plain route returns. */
export const PLAIN_BODY = { hello: 'world', service: 'bench', items: [1, 2, 3] } as const;

/** What the resource handler returns; the default envelope puts it under `response`. */
export const RESOURCE_DATA = ['hello', 'world', 42] as const;
export const RESOURCE_ENVELOPE = { response: RESOURCE_DATA } as const;

/** A small realistic JSON document for the echo route (about 300 bytes). */
export const ECHO_BODY = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  name: 'Benchmark note',
  tags: ['alpha', 'beta', 'gamma'],
  done: false,
  count: 12,
  text: 'The quick brown fox jumps over the lazy dog. '.repeat(4),
};

export const JSON_ACCEPT = 'application/json';
/** Chromium's navigation Accept header. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** Bodies above this size are refused by every server (the toolkit limits body sizes too). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export type ScenarioName = 'plain' | 'resource' | 'page' | 'echo';

export interface Scenario {
  readonly name: ScenarioName;
  readonly label: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The JSON the response must carry, or undefined for the HTML page (checked by content type). */
  readonly expectedJson?: unknown;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'plain',
    label: '(a) plain route, object → JSON',
    method: 'GET',
    path: PLAIN_PATH,
    headers: { accept: JSON_ACCEPT },
    expectedJson: PLAIN_BODY,
  },
  {
    name: 'resource',
    label: '(b) marked resource, default envelope',
    method: 'GET',
    path: RESOURCE_PATH,
    headers: { accept: JSON_ACCEPT },
    expectedJson: RESOURCE_ENVELOPE,
  },
  {
    name: 'page',
    label: '(c) browsable HTML page',
    method: 'GET',
    path: RESOURCE_PATH,
    headers: { accept: BROWSER_ACCEPT },
  },
  {
    name: 'echo',
    label: '(d) POST JSON echo',
    method: 'POST',
    path: ECHO_PATH,
    headers: { accept: JSON_ACCEPT, 'content-type': 'application/json' },
    body: JSON.stringify(ECHO_BODY),
    expectedJson: ECHO_BODY,
  },
];

/**
 * True when an Accept header asks for HTML before JSON, the simple negotiation the peers do.
 * @example wantsHtml('text/html,*\/*;q=0.8') // true
 */
export function wantsHtml(accept: string | undefined): boolean {
  return accept?.includes('text/html') === true;
}
