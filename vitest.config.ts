import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code; integration tests under */test that run against
// one real Kafka broker and one real PostgreSQL started once per run by the global setup; and fault
// tests (test/faults) that start their own brokers and Postgres, run the services as processes and
// stop, kill and restart all of them, so they run one file at a time, after the others.
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
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.fault.test.ts'],
          environment: 'node',
          // Each file owns its Kafka and Postgres and loads the machine: one at a time.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
