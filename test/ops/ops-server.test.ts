import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, HealthRegistry, type OpsServer, startOpsServer } from '../../src/index.js';
import { parsePrometheusText } from './helpers/prom-text.js';

const servers: OpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Omit<Parameters<typeof startOpsServer>[0], 'port'>): Promise<OpsServer> {
  const server = await startOpsServer({ port: 0, ...options });
  servers.push(server);
  return server;
}

/** Sends raw bytes and collects the whole answer until the server closes the connection or `ms` pass. */
function rawRequest(port: number, bytes: string, ms = 2_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, ms);
    socket.on('data', (data) => {
      text += data.toString();
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('startOpsServer over real HTTP', () => {
  it('serves /healthz and /readyz as JSON and follows the registry (503 while connecting)', async () => {
    const health = new HealthRegistry();
    const ops = await start({ health });
    expect(ops.url).toBe(`http://127.0.0.1:${ops.port}`);
    const live = await fetch(`${ops.url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(await live.json()).toEqual({ status: 'ok', checks: [] });

    health.setConnectionState('rabbitmq', 'connecting');
    const notReady = await fetch(`${ops.url}/readyz?verbose=1`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'unavailable',
      checks: [{ name: 'rabbitmq', ok: false, detail: 'connecting' }],
    });
    health.setConnectionState('rabbitmq', 'up');
    expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
    health.setDraining();
    expect((await fetch(`${ops.url}/readyz`)).status).toBe(503);
  });

  it('answers HEAD without a body, 404 for other paths and for /metrics without metrics', async () => {
    const ops = await start({ health: new HealthRegistry() });
    const head = await fetch(`${ops.url}/readyz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    for (const path of ['/', '/metrics', '/healthz/', '/HEALTHZ', '/healthz.json', '/readyz%2F']) {
      expect((await fetch(`${ops.url}${path}`)).status, path).toBe(404);
    }
  });

  it('refuses other methods with 405 and Allow, without reading the body, and closes the connection', async () => {
    const ops = await start({ health: new HealthRegistry() });
    // Announces 10 MB and sends none of it: the answer must come at once, not after a body read.
    const startedAt = Date.now();
    const { text, closed } = await rawRequest(
      ops.port,
      'POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n',
    );
    expect(text).toMatch(/^HTTP\/1\.1 405 /);
    expect(text.toLowerCase()).toContain('allow: get, head');
    expect(text.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    const deleted = await fetch(`${ops.url}/healthz`, { method: 'DELETE' });
    expect(deleted.status).toBe(405);
  });

  it('serves /metrics as valid Prometheus text when given metrics', async () => {
    const metrics = await createMetrics({ defaultMetrics: false });
    metrics.recordConsumed('notes');
    const ops = await start({ health: new HealthRegistry(), metrics });
    const response = await fetch(`${ops.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    const families = parsePrometheusText(await response.text());
    expect(families.get('messaging_client_consumed_messages_total')?.samples[0]?.value).toBe(1);
  });

  it('a failing scrape answers 500 without its message; a bad port is refused', async () => {
    const failing = { contentType: 'text/plain', scrape: () => Promise.reject(new Error('secret internals')) };
    const ops = await start({ health: new HealthRegistry(), metrics: failing });
    const response = await fetch(`${ops.url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('internal error');
    await expect(startOpsServer({ port: 70_000, health: new HealthRegistry() })).rejects.toMatchObject({
      code: 'MS_OPS_INVALID_OPTION',
    });
  });
});
