import { defineConfig } from 'vitest/config';
import { packageAliases } from './vitest.shared.js';

/** Fault tests stop, kill and restart brokers: one file at a time, after the rest of the suite. */
export default defineConfig({
  resolve: { alias: packageAliases },
  test: {
    include: ['test/**/*.fault.test.ts'],
    fileParallelism: false,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
