import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { createTestDatabase, createTestTopic, testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from './support/console-harness.ts';

// The console's offset reset against the real broker, with the semantics of `npm run cli -- replay`:
// the preview answers per partition the committed offset, the target and how many records are re-read
// or skipped; a reset that would move the group past records it never consumed is refused (409,
// naming the partitions and counts) and changes nothing unless the request says `allowSkip: true`; a
// rewind is never refused.

let consoleApp: RunningConsole;
let admin: KafkaAdmin;
let producer: KafkaProducer;
let topic: string;

beforeAll(async () => {
  consoleApp = await startConsole({ databaseUrl: await createTestDatabase('console_reset') });
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('console_reset_test') };
  admin = createAdmin(connection);
  producer = createProducer(connection);
  await Promise.all([admin.start(), producer.start()]);
  topic = await createTestTopic('console_reset', { partitions: 3 });
  // 10, 4 and 6 records in partitions 0, 1 and 2.
  const counts = [10, 4, 6];
  await producer.send(
    counts.flatMap((n, partition) =>
      Array.from({ length: n }, (_, i) => ({ topic, partition, key: `k${i}`, value: `p${partition}-${i}` })),
    ),
  );
});

afterAll(async () => {
  await consoleApp?.stop();
  await Promise.all([producer?.stop(), admin?.stop()]);
});

/** An empty group that consumed 5 of partition 0, all of partition 1, and never committed on partition 2. */
async function groupHalfWay(): Promise<string> {
  const group = uniqueName('console_reset_group');
  await admin.resetGroupOffsets(group, [topic], {
    kind: 'offsets',
    offsets: [
      { topic, partition: 0, offset: 5n },
      { topic, partition: 1, offset: 4n },
    ],
  });
  return group;
}

async function committed(group: string): Promise<(bigint | undefined)[]> {
  const lag = await admin.groupLag(group, [topic]);
  return [0, 1, 2].map((p) => lag.find((l) => l.partition === p)?.committedOffset);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON bodies
async function reset(group: string, body: object): Promise<{ status: number; type: string; body: any }> {
  const response = await fetch(`${consoleApp.url}/api/groups/${encodeURIComponent(group)}/reset-offsets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topics: [topic], ...body }),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.json(),
  };
}

const row = (
  partition: number,
  currentOffset: string | null,
  newOffset: string,
  reRead: number,
  skipped: number,
) => ({
  topic,
  partition,
  currentOffset,
  newOffset,
  reRead,
  skipped,
});

describe('console offset reset', () => {
  it('refuses a forward reset that skips unconsumed records, previews the counts, applies it with allowSkip', async () => {
    const group = await groupHalfWay();

    const refused = await reset(group, { to: 'latest', dryRun: false });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 409, code: 'OFFSET_RESET_SKIPS' });
    expect(refused.body.detail).toContain(`past 11 record(s) it never consumed`);
    expect(refused.body.detail).toContain(`${topic}:0 (committed 5 → 10: 5 skipped)`);
    expect(refused.body.detail).toContain(`${topic}:2 (no committed offset → 6: 6 skipped)`);
    expect(refused.body.detail).not.toContain(`${topic}:1 `);
    expect(refused.body.detail).toContain('allowSkip');
    expect(refused.body.skips).toEqual([
      { ...row(0, '5', '10', 0, 5), toRead: 0 },
      { ...row(2, null, '6', 0, 6), toRead: 0 },
    ]);
    expect(await committed(group)).toEqual([5n, 4n, undefined]);

    const preview = await reset(group, { to: 'latest', dryRun: true });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ groupId: group, dryRun: true, reRead: 0, skipped: 11 });
    expect(preview.body.plan).toEqual([
      { ...row(0, '5', '10', 0, 5), toRead: 0 },
      { ...row(1, '4', '4', 0, 0), toRead: 0 },
      { ...row(2, null, '6', 0, 6), toRead: 0 },
    ]);
    expect(await committed(group)).toEqual([5n, 4n, undefined]);

    // A time after every record is a forward reset too (to the end of each partition).
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const refusedByTime = await reset(group, { to: 'timestamp', timestamp: future, dryRun: false });
    expect(refusedByTime.status, JSON.stringify(refusedByTime.body)).toBe(409);
    expect(refusedByTime.body.code).toBe('OFFSET_RESET_SKIPS');
    expect(await committed(group)).toEqual([5n, 4n, undefined]);

    // allowSkip is a boolean, and only the real reset needs it.
    const invalid = await reset(group, { to: 'latest', dryRun: false, allowSkip: 'yes' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'allowSkip' })]);
    expect(await committed(group)).toEqual([5n, 4n, undefined]);

    const allowed = await reset(group, { to: 'latest', dryRun: false, allowSkip: true });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    expect(allowed.body).toMatchObject({ dryRun: false, reRead: 0, skipped: 11 });
    expect(await committed(group)).toEqual([10n, 4n, 6n]);
  });

  it('never refuses a rewind: it re-reads what the group consumed and skips nothing', async () => {
    const group = await groupHalfWay();
    const preview = await reset(group, { to: 'earliest', dryRun: true });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ reRead: 9, skipped: 0 });
    expect(preview.body.plan).toEqual([
      { ...row(0, '5', '0', 5, 0), toRead: 10 },
      { ...row(1, '4', '0', 4, 0), toRead: 4 },
      { ...row(2, null, '0', 0, 0), toRead: 6 },
    ]);
    const done = await reset(group, { to: 'earliest', dryRun: false });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await committed(group)).toEqual([0n, 0n, 0n]);

    const past = await reset(group, { to: 'timestamp', timestamp: '2000-01-01T00:00:00Z', dryRun: false });
    expect(past.status, JSON.stringify(past.body)).toBe(200);
    expect(past.body.skipped).toBe(0);
  });

  it('declares the request field and both answers in the OpenAPI document', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON bodies
    const openapi: any = await (await fetch(`${consoleApp.url}/openapi.json`)).json();
    const operation = openapi.paths['/api/groups/{groupId}/reset-offsets'].post;
    const body = operation.requestBody.content['application/json'].schema;
    expect(body.properties.allowSkip).toMatchObject({ type: 'boolean', default: false });
    const ok = operation.responses['200'].content['application/json'].schema;
    expect(ok.properties.plan.items.required).toEqual(
      expect.arrayContaining(['currentOffset', 'newOffset', 'toRead', 'reRead', 'skipped']),
    );
    const conflict = operation.responses['409'].content['application/problem+json'].schema;
    expect(Object.keys(conflict.properties)).toContain('skips');
  });
});
