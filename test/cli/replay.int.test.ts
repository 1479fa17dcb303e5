import {
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import { createTestTopic, testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../support/cli.ts';

// `npm run cli -- replay` against the real broker: a reset that would move a group past records it
// never consumed is refused unless --allow-skip; the dry run shows per partition what is re-read and
// skipped; a time without a zone and other bad arguments exit 2 naming the argument.

const brokers = testKafkaBrokers().join(',');
const cli = (...args: string[]) => runCliInProcess(args, { KAFKA_BROKERS: brokers });
let admin: KafkaAdmin;
let producer: KafkaProducer;
let topic: string;

beforeAll(async () => {
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: uniqueName('replay_cli') });
  producer = createProducer({ brokers: testKafkaBrokers(), clientId: uniqueName('replay_cli') });
  await Promise.all([admin.start(), producer.start()]);
  topic = await createTestTopic('replay_cli', { partitions: 3 });
  // 10, 4 and 6 records in partitions 0, 1 and 2.
  const counts = [10, 4, 6];
  await producer.send(
    counts.flatMap((n, partition) =>
      Array.from({ length: n }, (_, i) => ({ topic, partition, key: `k${i}`, value: `p${partition}-${i}` })),
    ),
  );
});

afterAll(async () => {
  await Promise.all([producer?.stop(), admin?.stop()]);
});

/** A group that consumed 5 of partition 0, all of partition 1, and never committed on partition 2. */
async function groupHalfWay(): Promise<string> {
  const group = uniqueName('g');
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

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('replay', () => {
  it('refuses to skip unconsumed records, naming partitions and counts; --allow-skip does it', async () => {
    const group = await groupHalfWay();

    const refused = await cli('replay', '--group', group, '--to', 'latest');
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`moving "${group}" to latest skips 11 record(s) it never consumed`);
    expect(refused.stderr).toContain(`${topic}:0  committed 5 → 10: 5 record(s) skipped`);
    expect(refused.stderr).toContain(
      `${topic}:2  no committed offset (starts at earliest) → 6: 6 record(s) skipped`,
    );
    expect(refused.stderr).not.toContain(`${topic}:1 `);
    expect(refused.stderr).toContain('--allow-skip');
    noStack(refused.stderr);
    expect(await committed(group)).toEqual([5n, 4n, undefined]);

    const allowed = await cli('replay', '--group', group, '--to', 'latest', '--allow-skip');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain(`skips 11 it never consumed (${topic}:0 5, ${topic}:2 6)`);
    expect(await committed(group)).toEqual([10n, 4n, 6n]);

    // Rewinding skips nothing: no flag needed.
    const rewound = await cli('replay', '--group', group, '--to', `${topic}:0:2,${topic}:2:0`);
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(rewound.stdout).toContain('re-reads 14 record(s) when it starts.');
    expect(await committed(group)).toEqual([2n, 4n, 0n]);
  });

  it('the dry run prints committed, target, re-read and skipped per partition and changes nothing', async () => {
    const group = await groupHalfWay();

    const latest = await cli('replay', '--group', group, '--to', 'latest', '--dry-run');
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toMatch(/TOPIC\s+PARTITION\s+COMMITTED\s+TARGET\s+RE-READ\s+SKIPPED/);
    expect(latest.stdout).toMatch(new RegExp(`${topic}\\s+0\\s+5\\s+10\\s+0\\s+5\\n`));
    expect(latest.stdout).toMatch(new RegExp(`${topic}\\s+1\\s+4\\s+4\\s+0\\s+0\\n`));
    expect(latest.stdout).toMatch(new RegExp(`${topic}\\s+2\\s+none\\s+6\\s+0\\s+6\\n`));
    expect(latest.stdout).toContain(
      `${topic}:2 has no committed offset: its consumers would start at the earliest retained offset (0); after the reset they start at 6, skipping 6 record(s).`,
    );
    expect(latest.stdout).toContain(
      `dry run: nothing changed; "${group}" would re-read 0 record(s) and skip 11.`,
    );
    expect(latest.stdout).toContain('without --allow-skip a real run refuses');

    const earliest = await cli('replay', '--group', group, '--to', 'earliest', '--dry-run');
    expect(earliest.code, earliest.stderr).toBe(0);
    expect(earliest.stdout).toMatch(new RegExp(`${topic}\\s+0\\s+5\\s+0\\s+5\\s+0\\n`));
    expect(earliest.stdout).toMatch(new RegExp(`${topic}\\s+2\\s+none\\s+0\\s+0\\s+0\\n`));
    expect(earliest.stdout).toContain('after the reset they start at 0, skipping nothing.');
    expect(earliest.stdout).toContain('would re-read 9 record(s) and skip 0.');

    const json = await cli('replay', '--group', group, '--to', 'latest', '--dry-run', '--json');
    expect(JSON.parse(json.stdout).plan).toContainEqual(
      expect.objectContaining({
        partition: 0,
        currentOffset: '5',
        newOffset: '10',
        reRead: '0',
        skipped: '5',
      }),
    );
    expect(await committed(group)).toEqual([5n, 4n, undefined]);
  });

  it('refuses a time without a zone and shows how to write it (as a real `npm run cli` process)', async () => {
    const group = await groupHalfWay();
    const result = await runCli(
      ['replay', '--group', group, '--to', '2026-12-04T10:00', '--dry-run'],
      brokers,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('replay: --to "2026-12-04T10:00" has no time zone');
    expect(result.stderr).toContain('2026-12-04T10:00Z');
    expect(result.stderr).toContain('2026-12-04T10:00+01:00');
    noStack(result.stderr);
    const zoned = await cli('replay', '--group', group, '--to', '2000-01-01T10:00+01:00', '--dry-run');
    expect(zoned.code, zoned.stderr).toBe(0);
  });

  it('an unknown topic is a bad argument: exit 2 naming it, without a stack trace', async () => {
    const group = await groupHalfWay();
    const missing = uniqueName('nope');
    const result = await cli('replay', '--group', group, '--to', 'earliest', '--topic', missing);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Unknown topic(s): ${missing}`);
    noStack(result.stderr);
    // (Every other bad argument is refused before connecting: tools/cli/src/command-line.test.ts.)
  });

  it('keeps refusing while the group has members, naming them', async () => {
    const group = await groupHalfWay();
    const runner = createConsumerRunner({
      connection: { brokers: testKafkaBrokers(), clientId: 'replay-member' },
      groupId: group,
      topics: [topic],
      handler: async () => {},
    });
    await runner.start();
    try {
      await waitFor(async () => (await admin.describeGroup(group)).members.length === 1, {
        message: 'member joined',
      });
      const refused = await cli('replay', '--group', group, '--to', 'earliest');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/refused — group .* has 1 active member\(s\) \(replay-member\)/);
    } finally {
      await runner.stop();
    }
  });
});
