/**
 * Runs `kombu_peer.py` with Debian's python3-kombu (`/usr/bin/python3`; the `python3` on PATH may be another
 * interpreter without kombu). Tests skip with a visible reason when kombu is missing, unless REQUIRE_BROKERS=1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.KOMBU_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./kombu_peer.py', import.meta.url));

/** Whether kombu can be imported; prints why not (and throws under REQUIRE_BROKERS=1). */
export function kombuCheck(): { skip: boolean; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import kombu, amqp; print(kombu.__version__, amqp.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.status === 0) return { skip: false, reason: '' };
  const missing = `${PYTHON} cannot import kombu (apt-get install -y python3-kombu): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
  if (process.env.REQUIRE_BROKERS === '1') throw new Error(`REQUIRE_BROKERS=1 but ${missing}`);
  const reason = `skipped: ${missing}`;
  console.warn(`\n  ⚠ ${reason}\n`);
  return { skip: true, reason };
}

/** Runs the peer script; resolves with its standard output. */
export function runKombu(args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...args], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kombu_peer.py ${args[0]} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
