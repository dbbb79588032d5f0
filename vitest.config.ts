import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // web/ is the dashboard's browser code (its own tsconfig); its tests live in test/web/.
    exclude: ['node_modules/**', 'dist/**', 'web/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: keep suites in separate forks but do not oversubscribe the machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
