import { defineConfig } from 'vitest/config';
import { packageAliases } from './vitest.shared.js';

/** Every test except the broker fault tests, which stop and restart brokers and so run alone (vitest.faults.config.ts). */
export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.fault.test.ts', 'node_modules/**'],
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
});
