import { uniqueName, waitFor } from '@kafka-poc/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Clients, messagesFor, newTopic, recordingHandler, values } from './support.ts';

const clients = new Clients();
afterEach(() => clients.stopAll());

describe('offsets are committed only after the handler succeeds', () => {
  it('redelivers the same batch after a failure, then resumes after the last commit', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 5, 'first'));

    const groupId = uniqueName('g');
    let failures = 0;
    const errors: { attempt: number; batchSize: number }[] = [];
    const { handler, calls, handled } = recordingHandler(async () => {
      if (failures++ === 0) throw new Error('database down');
    });
    const runner = await clients.runner({
      groupId,
      topics: [topic],
      handler,
      retryBackoffMs: { initialMs: 50, maxMs: 100 },
      onError: (_error, info) => errors.push(info),
    });
    await waitFor(() => handled.length === 5, { message: 'first 5 handled' });

    expect(calls[0]?.attempt).toBe(1);
    expect(calls[1]?.attempt).toBe(2);
    expect(values(calls[1]?.batch ?? [])).toEqual(values(calls[0]?.batch ?? []));
    expect(errors[0]).toEqual({ attempt: 1, batchSize: calls[0]?.batch.length });
    expect(values(handled)).toEqual(messagesFor(topic, 5, 'first').map((m) => m.value));
    await waitFor(async () => (await admin.groupLag(groupId, [topic]))[0]?.committedOffset === 5n, {
      message: 'offset 5 committed',
    });
    await runner.stop();

    await producer.send(messagesFor(topic, 3, 'second'));
    const next = recordingHandler();
    await clients.runner({ groupId, topics: [topic], handler: next.handler });
    await waitFor(() => next.handled.length === 3, { message: 'second 3 handled' });
    expect(values(next.handled)).toEqual(['second-0', 'second-1', 'second-2']);
    expect(next.handled[0]?.offset).toBe(5n);
  });

  it('keeps retrying a failing batch without committing or skipping it', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 3));
    const groupId = uniqueName('g');
    const { handler, calls } = recordingHandler(async () => {
      throw new Error('always failing');
    });
    await clients.runner({ groupId, topics: [topic], handler, retryBackoffMs: { initialMs: 20, maxMs: 40 } });
    await waitFor(() => calls.length >= 4, { message: '4 attempts' });
    expect(calls.map((c) => c.attempt).slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(new Set(calls.map((c) => values(c.batch).join(','))).size).toBe(1);
    const lag = await admin.groupLag(groupId, [topic]);
    expect(lag[0]?.committedOffset).toBeUndefined();
  });

  it('stop() lets the in-flight batch finish, commits it and leaves the group', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 4));
    const groupId = uniqueName('g');
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    let sawAbort = false;
    const { handler, handled } = recordingHandler(async (_batch, { signal }) => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 500));
      sawAbort = signal.aborted;
    });
    const runner = await clients.runner({ groupId, topics: [topic], handler, maxBatchWaitMs: 200 });
    await inFlight;
    await runner.stop();

    expect(sawAbort).toBe(true);
    expect(handled).toHaveLength(4);
    expect(runner.isJoined()).toBe(false);
    const lag = await admin.groupLag(groupId, [topic]);
    expect(lag).toEqual([{ topic, partition: 0, committedOffset: 4n, latestOffset: 4n, lag: 0n }]);
    expect((await admin.describeGroup(groupId)).members).toEqual([]);
    await runner.stop(); // idempotent
  });

  it('starts from the end of the topic with startFrom latest', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 3, 'old'));
    const { handler, handled } = recordingHandler();
    const runner = await clients.runner({
      groupId: uniqueName('g'),
      topics: [topic],
      handler,
      startFrom: 'latest',
    });
    await waitFor(() => runner.assignments().length === 1, { message: 'assignment' });
    // The stream looks up the latest offset right after the assignment arrives; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await producer.send(messagesFor(topic, 2, 'new'));
    await waitFor(() => handled.length === 2, { message: 'new messages' });
    expect(values(handled)).toEqual(['new-0', 'new-1']);
  });

  it('stop() is bounded: a hung handler is abandoned uncommitted, a retry backoff is cut short', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    await producer.send(messagesFor(topic, 2));

    const hungGroup = uniqueName('g');
    const hung = recordingHandler(() => new Promise(() => {}));
    const errors: unknown[] = [];
    const runner = await clients.runner({
      groupId: hungGroup,
      topics: [topic],
      handler: hung.handler,
      stopTimeoutMs: 300,
      onError: (error) => errors.push(error),
    });
    await waitFor(() => hung.calls.length === 1, { message: 'handler called' });
    let started = Date.now();
    await runner.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errors.some((e) => String(e).includes('still running'))).toBe(true);
    expect((await admin.groupLag(hungGroup, [topic]))[0]?.committedOffset).toBeUndefined();

    const failing = recordingHandler(async () => {
      throw new Error('failing');
    });
    const retrying = await clients.runner({
      groupId: uniqueName('g'),
      topics: [topic],
      handler: failing.handler,
      retryBackoffMs: { initialMs: 60_000, maxMs: 60_000 },
    });
    await waitFor(() => failing.calls.length === 1, { message: 'first attempt' });
    started = Date.now();
    await retrying.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(failing.calls).toHaveLength(1);
  });
});

describe('offsets are committed at most every commitIntervalMs', () => {
  it('holds back commits between intervals, commits them once due and on stop', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    const groupId = uniqueName('g');
    const committed: bigint[] = [];
    const { handler, handled } = recordingHandler();
    const runner = await clients.runner({
      groupId,
      topics: [topic],
      handler,
      maxBatchWaitMs: 0,
      commitIntervalMs: 60_000,
      onCommitted: (offsets) => committed.push(...offsets.map((o) => o.offset)),
    });
    const lag = async () => (await admin.groupLag(groupId, [topic]))[0]?.committedOffset;

    // The first batch is due at once (no commit yet); the ones after it wait for the interval.
    await producer.send(messagesFor(topic, 1, 'a'));
    await waitFor(() => committed.length === 1, { message: 'first batch committed' });
    expect(await lag()).toBe(1n);
    for (let i = 0; i < 3; i++) {
      await producer.send(messagesFor(topic, 1, `b${i}`));
      await waitFor(() => handled.length === 2 + i, { message: `batch ${i + 2} handled` });
    }
    expect(committed).toEqual([1n]);
    expect(await lag()).toBe(1n);

    // stop() commits what was handled, in one commit.
    await runner.stop();
    expect(committed).toEqual([1n, 4n]);
    expect(await lag()).toBe(4n);
  });

  it('commits a held-back offset when the interval ends even if no batch follows', async () => {
    const admin = await clients.admin();
    const topic = await newTopic(admin, 1);
    const producer = await clients.producer();
    const groupId = uniqueName('g');
    const { handler, handled } = recordingHandler();
    await clients.runner({ groupId, topics: [topic], handler, maxBatchWaitMs: 0, commitIntervalMs: 1500 });
    await producer.send(messagesFor(topic, 1, 'a'));
    await waitFor(() => handled.length === 1, { message: 'first handled' });
    await producer.send(messagesFor(topic, 2, 'b'));
    await waitFor(() => handled.length === 3, { message: 'all handled' });
    await waitFor(async () => (await admin.groupLag(groupId, [topic]))[0]?.committedOffset === 3n, {
      timeoutMs: 10_000,
      message: 'offset 3 committed by the timer',
    });
  });
});
