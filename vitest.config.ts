import { defineConfig } from 'vitest/config';

// Four projects: fast unit tests beside the code; integration tests under */test that run against
// one real Kafka broker and one real PostgreSQL started once per run by the global setup; fault
// tests (test/faults) that start their own brokers and Postgres, run the services as processes and
// stop, kill and restart all of them, so they run one file at a time, after the others; and the
// contract run (test/contract: schemathesis against the services, on the integration harness).
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
          // schemathesis against the three services (npm run test:contract, its own CI step): minutes
          // of property-based requests, so not part of npm test.
          name: 'contract',
          include: ['test/contract/**/*.contract.test.ts'],
          environment: 'node',
          globalSetup: ['packages/testing/src/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.fault.test.ts'],
          environment: 'node',
          globalSetup: ['packages/testing/src/build-setup.ts'],
          // Each file owns its Kafka and Postgres and loads the machine: one at a time.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
