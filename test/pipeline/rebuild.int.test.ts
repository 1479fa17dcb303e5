import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@kafka-poc/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// The deliberate rebuild path: forget a time range of notifications, rewind the stopped group, and
// the restarted notification-service re-creates exactly those notifications from the log.

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');
let pipeline: TestPipeline;
let db: pg.Client;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=100' });
  await pipeline.startAll();
  db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await pipeline?.stop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['tools/cli/src/main.ts', ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KAFKA_BROKERS: pipeline.env.KAFKA_BROKERS,
        DATABASE_URL: pipeline.env.DATABASE_URL,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const snapshot = async () =>
  (await db.query('SELECT id, order_id, message FROM notifications ORDER BY order_id')).rows as {
    id: string;
    order_id: string;
    message: string;
  }[];

describe('rebuild notifications', () => {
  it('re-creates exactly the forgotten range, with the same ids, and refuses while the service runs', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    await Promise.all(
      Array.from({ length: 10 }, () =>
        request('POST', `${pipeline.url('order')}/orders`, { item: 'Laptop', quantity: 1 }),
      ),
    );
    const original = await waitFor(snapshot, {
      until: (rows) => rows.length === 10,
      timeoutMs: 20_000,
      message: '10 notifications',
    });
    const group = pipeline.groups.notification;
    const topic = pipeline.topics.inventoryEvents;
    const args = ['rebuild', 'notifications', '--from', before, '--group', group, '--topic', topic];

    const refused = await cli(...args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused — group .* active member/);

    const notificationInstance = pipeline.instances.find((i) => i.kind === 'notification')?.runtime;
    await pipeline.stop(notificationInstance);
    const dryRun = await cli(...args, '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/dry run: would forget 10 notification\(s\) and 10 inbox row\(s\)/);
    expect(await snapshot()).toHaveLength(10);

    const rebuilt = await cli(...args);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(await snapshot()).toHaveLength(0);

    await pipeline.start('notification');
    const after = await waitFor(snapshot, {
      until: (rows) => rows.length === 10,
      timeoutMs: 20_000,
      message: 'rebuilt',
    });
    expect(after).toEqual(original);
    // And nothing beyond: a second look after the group caught up still shows 10.
    await new Promise((r) => setTimeout(r, 500));
    expect(await snapshot()).toHaveLength(10);
  });
});
