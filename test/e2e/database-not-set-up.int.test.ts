import { findService, roleDatabaseUrl } from '@kafka-poc/local-stack';
import { createTestDatabase, testDatabaseAdminUrl, uniqueName } from '@kafka-poc/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOutcome, runServiceOnce, type ServiceName } from '../support/service-run.ts';

// A service process (run as `npm start` runs it: `node services/<name>/src/main.ts`) against the
// harness's Postgres where `npm run db:setup` never ran for it: it says so in one line naming what is
// missing and `npm run db:setup`, without a stack trace, and exits non-zero at once. An unreachable
// server is different (transient): the service keeps waiting for it.

type Outcome = RunOutcome;

const cleanup: string[] = [];

/** A database created as the administrator without the database setup (no service schemas). */
async function databaseWithoutSetup(): Promise<string> {
  const name = uniqueName('not_set_up');
  const admin = new pg.Client({ connectionString: testDatabaseAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  cleanup.push(name);
  const url = new URL(testDatabaseAdminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs the service with DATABASE_URL; waits for its exit up to `waitMs`, then kills it. */
function runService(service: ServiceName, databaseUrl: string, waitMs = 30_000): Promise<Outcome> {
  return runServiceOnce(service, databaseUrl, { waitMs });
}

/** Exactly one line names `what` and `npm run db:setup`; nothing looks like a stack trace. */
function expectOneLineRefusal(outcome: Outcome, what: string): void {
  expect(outcome.running, outcome.output).toBe(false);
  expect(outcome.code, outcome.output).toBe(78); // EX_CONFIG: not a crash to restart in a loop
  const lines = outcome.output.split('\n').filter((line) => line.includes('npm run db:setup'));
  expect(lines, outcome.output).toHaveLength(1);
  expect(lines[0]).toContain(what);
  expect(lines[0]).not.toMatch(/^\s*\{/); // a plain line, not a JSON log record
  expect(outcome.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(outcome.output).not.toMatch(/"stack"|uncaught|unhandled/i);
}

let setUpUrl: string;

beforeAll(async () => {
  // A database with the setup done, as the harness makes them: only the role will be missing.
  setUpUrl = await createTestDatabase('not_set_up_role');
});

afterAll(async () => {
  const admin = new pg.Client({ connectionString: testDatabaseAdminUrl() });
  await admin.connect();
  try {
    for (const name of cleanup) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
});

describe('a service started against a database that was not set up', () => {
  it('names the missing role and npm run db:setup in one line, and exits non-zero', async () => {
    const role = uniqueName('no_such_role');
    const outcome = await runService('order-service', roleDatabaseUrl(setUpUrl, role));
    expectOneLineRefusal(outcome, `role "${role}"`);
    expect(outcome.output).toContain('order-service: database not set up');
  });

  it('names the missing schema when the role exists but the database has no setup', async () => {
    const url = roleDatabaseUrl(
      await databaseWithoutSetup(),
      findService('inventory-service')?.databaseRole ?? '',
    );
    const outcome = await runService('inventory-service', url);
    expectOneLineRefusal(outcome, 'schema "inventory_service" does not exist');
  });

  it("names the role when the schema is not its own (another service's role in DATABASE_URL)", async () => {
    const outcome = await runService('inventory-service', roleDatabaseUrl(setUpUrl, 'order_service'));
    expectOneLineRefusal(outcome, 'role "order_service" may not create tables in schema "inventory_service"');
  });

  it('names the missing database', async () => {
    const missing = new URL(setUpUrl);
    missing.pathname = `/${uniqueName('no_such_db')}`;
    const url = roleDatabaseUrl(missing.toString(), findService('notification-service')?.databaseRole ?? '');
    const outcome = await runService('notification-service', url);
    expectOneLineRefusal(outcome, 'does not exist');
  });

  it('keeps waiting for a server that is unreachable (transient), as before', async () => {
    const unreachable = roleDatabaseUrl('postgres://x:x@127.0.0.1:9/appdb', 'order_service');
    const outcome = await runService('order-service', unreachable, 6_000);
    expect(outcome.running, outcome.output).toBe(true);
    expect(outcome.output).toContain('waiting for PostgreSQL');
    expect(outcome.output).not.toContain('npm run db:setup');
  });
});
