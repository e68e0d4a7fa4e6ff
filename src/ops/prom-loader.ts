/**
 * Loads prom-client, the optional peer behind metrics. Kept apart from metrics.ts so that no public declaration
 * names prom-client's types: a user without the package still type-checks.
 */
import type * as PromClient from 'prom-client';
import { ERRORS } from '../errors.js';

export type PromModule = typeof PromClient;

/**
 * Imports prom-client through `importer`; a missing package becomes `MS_OPS_PEER_MISSING` naming it.
 * @example const prom = await loadPromClient();
 */
export async function loadPromClient(
  importer: () => Promise<unknown> = () => import('prom-client'),
): Promise<PromModule> {
  try {
    const loaded = (await importer()) as PromModule & { default?: PromModule };
    return typeof loaded.Registry === 'function' ? loaded : (loaded.default as PromModule);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw ERRORS.MS_OPS_PEER_MISSING('Metrics need the package "prom-client": run `npm install prom-client`', {
        cause: error,
      });
    }
    throw error;
  }
}
