import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: keep suites in separate forks but do not oversubscribe the machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
