import { uniqueName, waitFor } from '@kafka-poc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchHandler, ConsumerRunner, IncomingMessage } from '../src/index.ts';
import { Clients, newTopic } from './support.ts';

const clients = new Clients();
afterEach(() => clients.stopAll());

interface Span {
  member: string;
  partitions: number[];
  start: number;
  end: number;
}

/** Handler of one member: records what it handled and when, taking a little time per batch. */
function member(name: string, spans: Span[], handled: Map<string, string[]>): BatchHandler {
  return async (batch: IncomingMessage[]) => {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const m of batch) {
      const key = m.value.toString();
      handled.set(key, [...(handled.get(key) ?? []), name]);
    }
    spans.push({
      member: name,
      partitions: [...new Set(batch.map((m) => m.partition))],
      start,
      end: performance.now(),
    });
  };
}

const partitionsOf = (runner: ConsumerRunner): number[] =>
  runner
    .assignments()
    .map((a) => a.partition)
    .sort();

/** A 3-partition topic, a producer and a fresh group id, with what the members' handlers record. */
async function groupFixture() {
  const admin = await clients.admin();
  const topic = await newTopic(admin, 3);
  const producer = await clients.producer();
  return {
    admin,
    topic,
    producer,
    groupId: uniqueName('g'),
    spans: [] as Span[],
    handled: new Map<string, string[]>(),
  };
}

describe.each(['consumer', 'classic'] as const)('two members of one group (%s protocol)', (groupProtocol) => {
  it('share a 3-partition topic and consume every message exactly once', async () => {
    const { admin, topic, producer, groupId, spans, handled } = await groupFixture();
    const options = { groupId, topics: [topic], groupProtocol, maxBatchSize: 20 };

    const a = await clients.runner({ ...options, handler: member('a', spans, handled) });
    await waitFor(() => partitionsOf(a).length === 3, {
      message: 'a owns all partitions',
      timeoutMs: 30_000,
    });
    await producer.send(
      Array.from({ length: 60 }, (_, i) => ({ topic, key: `k${i}`, value: `before-${i}` })),
    );

    const b = await clients.runner({ ...options, handler: member('b', spans, handled) });
    const settled = await waitFor(
      () => {
        const pa = partitionsOf(a);
        const pb = partitionsOf(b);
        const disjoint = pa.every((p) => !pb.includes(p));
        return pa.length > 0 && pb.length > 0 && disjoint && pa.length + pb.length === 3
          ? performance.now()
          : 0;
      },
      { message: 'partitions split between a and b', timeoutMs: 45_000 },
    );
    // Let batches fetched before the split drain, then produce the rest.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const quiet = performance.now();
    await producer.send(Array.from({ length: 90 }, (_, i) => ({ topic, key: `k${i}`, value: `after-${i}` })));
    await waitFor(() => handled.size === 150, { message: 'all 150 messages handled', timeoutMs: 30_000 });

    // Nothing lost; after the split, each message went to exactly one member.
    for (let i = 0; i < 90; i++) expect(handled.get(`after-${i}`)).toHaveLength(1);
    expect([...handled.values()].flat().filter((m) => m === 'a').length).toBeGreaterThan(0);
    expect([...handled.values()].flat().filter((m) => m === 'b').length).toBeGreaterThan(0);
    // After the group settled, no partition is handled by both members at overlapping times.
    const late = spans.filter((s) => s.start >= quiet);
    for (const x of late) {
      for (const y of late) {
        if (x.member === y.member) continue;
        const shared = x.partitions.filter((p) => y.partitions.includes(p));
        const overlap = x.start < y.end && y.start < x.end;
        expect(shared.length > 0 && overlap).toBe(false);
      }
    }
    expect(settled).toBeGreaterThan(0);

    // The group is described with both members and their assignments, and has no lag left.
    const description = await admin.describeGroup(groupId);
    expect(description.protocol).toBe(groupProtocol);
    expect(description.members).toHaveLength(2);
    expect(description.members.flatMap((m) => m.assignments.map((p) => p.partition)).sort()).toEqual([
      0, 1, 2,
    ]);
    await waitFor(async () => (await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n), {
      message: 'no lag',
    });
  });
});

describe('a group half way through a rolling upgrade from the classic to the consumer protocol', () => {
  it('consumes every partition while classic and consumer-protocol members share it', async () => {
    const { admin, topic, producer, groupId, spans, handled } = await groupFixture();
    const options = { groupId, topics: [topic], maxBatchSize: 20 };
    const sendRound = (name: string) =>
      producer.send(
        Array.from({ length: 30 }, (_, i) => ({ topic, partition: i % 3, value: `${name}-${i}` })),
      );
    const allHandled = (name: string) =>
      waitFor(() => Array.from({ length: 30 }, (_, i) => `${name}-${i}`).every((v) => handled.has(v)), {
        message: `every ${name} message handled (a stalled partition never is)`,
        timeoutMs: 45_000,
      });

    const oldA = await clients.runner({
      ...options,
      groupProtocol: 'classic',
      handler: member('a', spans, handled),
    });
    const oldB = await clients.runner({
      ...options,
      groupProtocol: 'classic',
      handler: member('b', spans, handled),
    });
    await waitFor(() => partitionsOf(oldA).length > 0 && partitionsOf(oldB).length > 0, {
      message: 'partitions split between the two classic members',
      timeoutMs: 45_000,
    });
    await sendRound('classic');
    await allHandled('classic');

    // a is upgraded: the group becomes a consumer group with one classic member left (b), whose
    // streams must still find their committed offsets.
    await oldA.stop();
    const newA = await clients.runner({
      ...options,
      groupProtocol: 'consumer',
      handler: member('a2', spans, handled),
    });
    await waitFor(() => partitionsOf(newA).length > 0, {
      message: 'the upgraded member gets partitions',
      timeoutMs: 45_000,
    });
    await sendRound('half');
    await allHandled('half');

    // A classic member joining the converted group (an instance rolled back) works too.
    await clients.runner({ ...options, groupProtocol: 'classic', handler: member('c', spans, handled) });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await sendRound('rolled-back');
    await allHandled('rolled-back');
    expect((await admin.describeGroup(groupId)).protocol).toBe('consumer');
  });
});
