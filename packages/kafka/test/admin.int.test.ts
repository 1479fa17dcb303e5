import { uniqueName, waitFor } from '@kafka-poc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaError, OffsetResetSkipsError } from '../src/index.ts';
import { Clients, messagesFor, newTopic, recordingHandler, values } from './support.ts';

const clients = new Clients();
afterEach(() => clients.stopAll());

async function rejection(promise: Promise<unknown>): Promise<KafkaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KafkaError);
  return error as KafkaError;
}

describe('admin', () => {
  it('describes the cluster with a round trip', async () => {
    const admin = await clients.admin();
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.length).toBeGreaterThan(0);
    expect(cluster.clusterId).toBeTruthy();
  });

  it('ensureTopics creates missing topics only, also when raced', async () => {
    const admin = await clients.admin();
    const [x, y] = [uniqueName('x'), uniqueName('y')];
    const specs = [
      { name: x, partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
      { name: y, partitions: 1, replicationFactor: 1 },
    ];
    const other = await clients.admin();
    const [first, second] = await Promise.all([admin.ensureTopics(specs), other.ensureTopics(specs)]);
    expect([...first, ...second].sort()).toEqual([x, y].sort());
    expect(await admin.ensureTopics(specs)).toEqual([]);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([x, y]));
    expect(await admin.listTopics()).not.toContain('__consumer_offsets');
    expect(await admin.listTopics({ includeInternal: true })).toContain('__consumer_offsets');

    const [described] = await admin.describeTopics([x]);
    expect(described?.partitions).toHaveLength(3);
    expect(described?.partitions[0]).toMatchObject({ partition: 0, earliestOffset: 0n, latestOffset: 0n });
    expect(described?.partitions[0]?.leader).toBeGreaterThanOrEqual(0);
    expect(described?.partitions[0]?.isr).toContain(described?.partitions[0]?.leader);

    await admin.deleteTopics([x, y, uniqueName('never_existed')]);
    await waitFor(async () => !(await admin.listTopics()).includes(x), { message: 'topic deleted' });
    expect((await rejection(admin.describeTopics([x]))).code).toBe('TOPIC_NOT_FOUND');
  });

  it('describeTopicConfig tells topic overrides from defaults', async () => {
    const admin = await clients.admin();
    const name = uniqueName('configured');
    await admin.ensureTopics([
      { name, partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
    ]);
    const configs = await admin.describeTopicConfig(name);
    expect(configs.map((c) => c.name)).toEqual([...configs.map((c) => c.name)].sort());
    expect(configs.find((c) => c.name === 'retention.ms')).toMatchObject({
      value: '3600000',
      isDefault: false,
      isSensitive: false,
      source: 'DYNAMIC_TOPIC_CONFIG',
    });
    expect(configs.find((c) => c.name === 'cleanup.policy')).toMatchObject({
      value: 'delete',
      isDefault: true,
    });
    expect(configs.filter((c) => !c.isDefault).map((c) => c.name)).toEqual(['retention.ms']);

    await admin.deleteTopics([name]);
    await waitFor(async () => !(await admin.listTopics()).includes(name), { message: 'topic deleted' });
    expect((await rejection(admin.describeTopicConfig(name))).code).toBe('TOPIC_NOT_FOUND');
  });

  it('describes a live group with members, assignments and lag', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 2);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 10));
    const groupId = uniqueName('g');
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { handler } = recordingHandler(async () => blocked);
    const runner = await clients.runner({ groupId, topics: [topic], handler });
    await waitFor(() => runner.assignments().length === 2, { message: 'assignment' });

    const group = await admin.describeGroup(groupId);
    expect(group).toMatchObject({ groupId, protocol: 'consumer', state: 'Stable' });
    expect(group.members).toHaveLength(1);
    expect(group.members[0]?.assignments.map((a) => a.partition).sort()).toEqual([0, 1]);
    expect((await admin.listGroups()).find((g) => g.groupId === groupId)).toMatchObject({
      protocol: 'consumer',
    });

    // Nothing committed while the handler is blocked: the lag is the whole topic.
    const lag = await admin.groupLag(groupId, [topic]);
    expect(lag.reduce((sum, p) => sum + p.lag, 0n)).toBe(10n);
    expect(lag.every((p) => p.committedOffset === undefined)).toBe(true);
    release();
    await waitFor(async () => (await admin.groupLag(groupId)).reduce((sum, p) => sum + p.lag, 0n) === 0n, {
      message: 'lag drained',
    });
  });

  it('resetGroupOffsets refuses while the group has members, then plans and applies resets', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 5, 'early'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const middle = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await producer.send(messagesFor(topic, 5, 'late'));

    const groupId = uniqueName('g');
    const consumed = recordingHandler();
    const runner = await clients.runner({ groupId, topics: [topic], handler: consumed.handler });
    await waitFor(() => consumed.handled.length === 10, { message: 'all consumed' });
    const refused = await rejection(admin.resetGroupOffsets(groupId, [topic], { kind: 'earliest' }));
    expect(refused.code).toBe('GROUP_NOT_EMPTY');
    await runner.stop();
    await waitFor(async () => (await admin.describeGroup(groupId)).members.length === 0, {
      message: 'group empty',
    });

    const plan = await admin.resetGroupOffsets(groupId, [topic], { kind: 'earliest' }, { dryRun: true });
    expect(plan).toEqual([
      { topic, partition: 0, currentOffset: 10n, newOffset: 0n, toRead: 10n, reRead: 10n, skipped: 0n },
    ]);
    expect((await admin.groupLag(groupId, [topic]))[0]?.committedOffset).toBe(10n);

    await admin.resetGroupOffsets(groupId, [topic], { kind: 'earliest' });
    expect((await admin.groupLag(groupId, [topic]))[0]).toMatchObject({ committedOffset: 0n, lag: 10n });

    // Moving forward past the 10 unconsumed records is refused when asked to, and changes nothing.
    const skipping = await rejection(
      admin.resetGroupOffsets(groupId, [topic], { kind: 'latest' }, { refuseSkips: true }),
    );
    expect(skipping).toBeInstanceOf(OffsetResetSkipsError);
    expect(skipping).toMatchObject({ code: 'OFFSET_RESET_SKIPS', skips: [{ partition: 0, skipped: 10n }] });
    expect((await admin.groupLag(groupId, [topic]))[0]?.committedOffset).toBe(0n);

    const byTime = await admin.resetGroupOffsets(groupId, [topic], { kind: 'timestamp', timestamp: middle });
    expect(byTime[0]).toMatchObject({ currentOffset: 0n, newOffset: 5n, toRead: 5n });

    await admin.resetGroupOffsets(groupId, [topic], {
      kind: 'offsets',
      offsets: [{ topic, partition: 0, offset: 8n }],
    });
    expect((await admin.groupLag(groupId, [topic]))[0]).toMatchObject({ committedOffset: 8n, lag: 2n });

    const resumed = recordingHandler();
    await clients.runner({ groupId, topics: [topic], handler: resumed.handler });
    await waitFor(() => resumed.handled.length === 2, { message: 'resumed from 8' });
    expect(values(resumed.handled)).toEqual(['late-3', 'late-4']);
  });

  it('readMessages reads a partition range without a group', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 2);
    const producer = await clients.producer();
    await producer.send(
      Array.from({ length: 30 }, (_, i) => ({
        topic,
        partition: 1,
        value: `v${i}`,
        headers: { i: String(i) },
      })),
    );
    const all = await admin.readMessages(topic, { partition: 1, limit: 100 });
    expect(values(all)).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    expect(all[7]?.headers).toEqual({ i: '7' });
    const some = await admin.readMessages(topic, { partition: 1, fromOffset: 25n, limit: 3 });
    expect(some.map((m) => m.offset)).toEqual([25n, 26n, 27n]);
    expect(await admin.readMessages(topic, { partition: 0, limit: 10, timeoutMs: 1000 })).toEqual([]);
    expect(await admin.readMessages(topic, { partition: 1, fromOffset: 30n, limit: 10 })).toEqual([]);
    expect((await admin.listGroups()).some((g) => g.groupId.includes('reader'))).toBe(false);
    expect((await rejection(admin.readMessages(uniqueName('none'), { partition: 0, limit: 1 }))).code).toBe(
      'TOPIC_NOT_FOUND',
    );
  });

  it('describes a classic group too', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const groupId = uniqueName('g');
    const runner = await clients.runner({
      groupId,
      topics: [topic],
      groupProtocol: 'classic',
      handler: async () => {},
    });
    await waitFor(() => runner.assignments().length === 1, { message: 'assignment' });
    const group = await admin.describeGroup(groupId);
    expect(group).toMatchObject({ groupId, protocol: 'classic', state: 'Stable' });
    expect(group.members[0]?.assignments).toEqual([{ topic, partition: 0 }]);
    expect((await admin.listGroups()).find((g) => g.groupId === groupId)?.protocol).toBe('classic');
    expect(await admin.describeGroup(uniqueName('nobody'))).toMatchObject({ state: 'Dead', members: [] });
  });
});
