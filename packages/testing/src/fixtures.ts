import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { setUpLocalDatabase } from '@kafka-poc/local-stack';
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { inject } from 'vitest';
import './provided-context.ts';

/** Bootstrap servers of the run's broker (started once by the global setup). */
export function testKafkaBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** URL of the run's Postgres maintenance database. Prefer createTestDatabase() for anything you write. */
export function testDatabaseAdminUrl(): string {
  return inject('databaseUrl');
}

/**
 * `<prefix>_<8 random chars>`: lower case letters, digits and `_`, so it is a valid topic, group and
 * database name. Use it for everything a test creates, so parallel test files never collide.
 */
export function uniqueName(prefix = 't'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^(?=[0-9])/, '_')
    .slice(0, 40);
  const suffix = randomBytes(8)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 8);
  return `${clean}_${suffix}`;
}

/**
 * Creates a uniquely named topic on the run's broker and waits until every partition has a leader.
 * Producing into a topic whose leaders are still being installed makes the client retry whole batches,
 * which was seen to duplicate records (@platformatic/kafka 2.12, even with idempotent: true).
 */
export async function createTestTopic(
  prefix = 'topic',
  options: { partitions?: number } = {},
): Promise<string> {
  const topic = uniqueName(prefix);
  const partitions = options.partitions ?? 3;
  const admin = new Admin({ clientId: 'test-fixtures', bootstrapBrokers: testKafkaBrokers() });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    await waitFor(
      async () => {
        const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
        const found = metadata.topics.get(topic);
        return (
          found?.partitions.length === partitions &&
          found.partitions.every((p) => p !== undefined && p.leader >= 0)
        );
      },
      { timeoutMs: 15_000, intervalMs: 50, message: `leaders for all ${partitions} partitions of ${topic}` },
    );
    return topic;
  } finally {
    await admin.close();
  }
}

/**
 * Creates a fresh database on the shared server, with the services' schemas (the database setup:
 * each service's role owns its own), and returns its administrator's URL: tests are isolated by
 * database. A service connects with its own role: roleDatabaseUrl(url, role) from @kafka-poc/local-stack.
 */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix);
  const adminUrl = testDatabaseAdminUrl();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await setUpLocalDatabase(url.toString());
  return url.toString();
}

export interface WaitForOptions<T> {
  timeoutMs?: number;
  intervalMs?: number;
  /** What we were waiting for, for the timeout error. */
  message?: string;
  /** Done when this returns true; default: the value is truthy. */
  until?: (value: T) => boolean;
}

/**
 * Calls `fn` until it returns a value that satisfies `until` (default: truthy) and returns that value.
 * A throw counts as "not yet". On timeout it throws with the last value or error, so failures explain themselves.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions<T> = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 100, message = 'condition', until = Boolean } = options;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  let attempts = 0;
  while (true) {
    attempts += 1;
    try {
      const value = await fn();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() + intervalMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const detail =
    last === undefined
      ? 'no attempt finished'
      : 'error' in last
        ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
        : `last value: ${inspect(last.value, { depth: 4, breakLength: 120 })}`;
  throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms (${attempts} attempts); ${detail}`, {
    cause: last && 'error' in last ? last.error : undefined,
  });
}
