/**
 * The HTTP clients compared: this toolkit's `Client`, raw `undici.request` (the engine under it, as most
 * users call it), a raw undici `Pool` (what the toolkit's client uses inside), global `fetch` and axios. Each makes the same call: GET the fixed server's JSON route and parse the body.
 * The toolkit is loaded dynamically so that its row says "not yet available" while it is a placeholder.
 */
import axios from 'axios';
import { Pool, request } from 'undici';
import { PLAIN_PATH } from '../http/workload.js';
import { UnavailableError } from '../lib/child.js';
import { loadToolkit } from '../lib/toolkit.js';

/** One call: resolves to the parsed JSON body. */
export type CallOnce = () => Promise<unknown>;

export const CLIENT_IMPLEMENTATIONS = ['undici', 'undici-pool', 'fetch', 'axios', 'toolkit'] as const;
export type ClientImplementation = (typeof CLIENT_IMPLEMENTATIONS)[number];

interface ToolkitClient {
  get(...args: unknown[]): Promise<unknown>;
  close?(): Promise<void>;
}

interface ToolkitClientModule {
  readonly Client: new (endpoint: string, options?: object) => ToolkitClient;
}

function isClientModule(value: unknown): value is ToolkitClientModule {
  return typeof (value as Partial<Record<string, unknown>>).Client === 'function';
}

async function toolkitCall(origin: string): Promise<CallOnce> {
  const mod = await loadToolkit('client');
  if (!isClientModule(mod)) throw new UnavailableError('dist/client does not export Client yet');
  const client = new mod.Client(`${origin}/`);
  // `get('plain')` requests `/plain/` (the client closes paths with a slash, as the seed's did).
  const segment = PLAIN_PATH.replace(/\//g, '');
  return () => client.get(segment);
}

/**
 * Builds the call for one client against the server at `origin` (`http://127.0.0.1:PORT`).
 * @example const call = await createCall('undici', 'http://127.0.0.1:3000'); await call();
 */
export async function createCall(implementation: ClientImplementation, origin: string): Promise<CallOnce> {
  const url = `${origin}${PLAIN_PATH}`;
  const headers = { accept: 'application/json' };
  switch (implementation) {
    case 'undici':
      return async () => (await request(url, { headers })).body.json();
    case 'undici-pool': {
      // The floor under the toolkit's client, which keeps one undici Pool per origin.
      const pool = new Pool(origin);
      return async () => (await pool.request({ path: PLAIN_PATH, method: 'GET', headers })).body.json();
    }
    case 'fetch':
      return async () => (await fetch(url, { headers })).json();
    case 'axios':
      return async () => (await axios.get(url, { headers })).data;
    case 'toolkit':
      return toolkitCall(origin);
  }
}
