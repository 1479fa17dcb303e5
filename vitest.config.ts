import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and integration tests under */test that run
// against one real Kafka broker and one real PostgreSQL started once per run by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,services,apps,tools}/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{packages,services,apps,tools}/*/test/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          environment: 'node',
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: integration files share one broker and one Postgres; keep parallelism modest.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
