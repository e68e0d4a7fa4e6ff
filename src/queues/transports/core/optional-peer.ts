/**
 * Loads an optional peer dependency (ioredis, @nats-io/*, mqtt) and, when it is not installed, fails with a
 * message that names the package to install instead of a bare module-not-found error.
 */
import { ERRORS } from '../../../errors.js';

export async function importOptionalPeer<T>(packageName: string, scheme: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw ERRORS.MS_QUEUE_PEER_MISSING(
        `The ${scheme}:// transport needs the package "${packageName}": run \`npm install ${packageName}\``,
        { cause: error },
      );
    }
    throw error;
  }
}
