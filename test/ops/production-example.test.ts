/**
 * examples/production/main.ts as a process: the API and the worker answer, /healthz and /readyz are 200,
 * /metrics is strict Prometheus text with the request and the consumed message in it, and SIGTERM ends the
 * process with 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './helpers/prom-text.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/production/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const kills: (() => void)[] = [];
afterEach(() => {
  for (const kill of kills.splice(0)) kill();
});

describe('examples/production', () => {
  it('serves the API, health, readiness and metrics on the memory broker, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', EXAMPLE], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', BROKER_URL: '' },
    });
    kills.push(() => child.exitCode === null && child.kill('SIGKILL'));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    child.stderr.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        const match = /notes ready on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then(() => reject(new Error(`exited early: ${output}`)));
    });
    expect(output).toContain('(broker memory://notes)');

    const created = await fetch(`${base}/notes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(created.status).toBe(201);
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${base}/notes/1/`, { headers: { accept: 'application/json' } })).json()) as {
              indexed?: boolean;
            }
          ).indexed,
      )
      .toBe(true);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const checks = ((await ready.json()) as { checks: { name: string }[] }).checks.map((check) => check.name);
    expect(checks).toEqual(
      expect.arrayContaining(['notes-store', 'queue-service:memory://notes', 'client:memory://notes']),
    );

    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(
      sampleValue(families, 'http_server_request_duration_seconds_count', {
        http_request_method: 'POST',
        http_route: '/notes/',
        http_response_status_code: '2xx',
      }),
    ).toBe(1);
    expect(
      sampleValue(families, 'messaging_client_consumed_messages_total', {
        messaging_destination_name: 'notes.created',
      }),
    ).toBe(1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
