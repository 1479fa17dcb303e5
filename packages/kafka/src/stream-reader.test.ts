import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamReader } from './stream-reader.ts';

interface TestRecord {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
}

const record = (partition: number, offset: number): TestRecord => ({
  topic: 't',
  partition,
  offset: BigInt(offset),
  leaderEpoch: 0,
});

function setup(bufferLimit = 100) {
  const stream = new PassThrough({ objectMode: true });
  const reader = new StreamReader<TestRecord>((chunk) => chunk as TestRecord, bufferLimit);
  reader.attach(stream);
  return { stream, reader, signal: new AbortController().signal };
}

const all = () => true;

describe('StreamReader', () => {
  it('waits for a first record, then up to maxWaitMs for more', async () => {
    const { stream, reader, signal } = setup();
    const next = reader.next({ maxSize: 10, maxWaitMs: 50 }, signal, all);
    setTimeout(() => stream.write(record(0, 0)), 20);
    setTimeout(() => stream.write(record(0, 1)), 40);
    const batch = await next;
    expect(batch.map((r) => r.offset)).toEqual([0n, 1n]);
  });

  it('returns as soon as the batch is full', async () => {
    const { stream, reader, signal } = setup();
    for (let i = 0; i < 5; i++) stream.write(record(0, i));
    const started = Date.now();
    const batch = await reader.next({ maxSize: 3, maxWaitMs: 5_000 }, signal, all);
    expect(batch.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await reader.next({ maxSize: 3, maxWaitMs: 0 }, signal, all)).map((r) => r.offset)).toEqual([
      3n,
      4n,
    ]);
  });

  it('returns an empty batch when stopped while waiting', async () => {
    const { reader } = setup();
    const controller = new AbortController();
    const next = reader.next({ maxSize: 3, maxWaitMs: 10 }, controller.signal, all);
    controller.abort();
    expect(await next).toEqual([]);
  });

  it('reports the end of the stream and its failure', async () => {
    const { stream, reader, signal } = setup();
    stream.destroy(new Error('broker gone'));
    expect(await reader.next({ maxSize: 3, maxWaitMs: 10 }, signal, all)).toEqual([]);
    expect(reader.done).toBe(true);
    expect((reader.failure as Error).message).toBe('broker gone');
  });

  it('leaves records in the stream beyond its buffer limit (backpressure)', async () => {
    const { stream, reader, signal } = setup(2);
    for (let i = 0; i < 6; i++) stream.write(record(0, i));
    const batch = await reader.next({ maxSize: 10, maxWaitMs: 0 }, signal, all);
    expect(batch).toHaveLength(2);
    expect(stream.readableLength).toBeGreaterThan(0);
  });

  it('drops records of partitions not assigned any more', async () => {
    const { stream, reader, signal } = setup();
    stream.write(record(0, 0));
    stream.write(record(1, 0));
    const batch = await reader.next({ maxSize: 10, maxWaitMs: 10 }, signal, (_t, p) => p === 1);
    expect(batch.map((r) => r.partition)).toEqual([1]);
  });

  it('keeps its records and positions when a replacement stream re-reads from the commit', async () => {
    const { stream, reader, signal } = setup();
    stream.write(record(0, 0));
    stream.write(record(0, 1));
    expect((await reader.next({ maxSize: 1, maxWaitMs: 0 }, signal, all)).map((r) => r.offset)).toEqual([0n]);
    stream.destroy(new Error('fetch failed'));
    const replacement = new PassThrough({ objectMode: true });
    reader.attach(replacement);
    expect(reader.done).toBe(false);
    for (const offset of [0, 1, 2]) replacement.write(record(0, offset));
    const batch = await reader.next({ maxSize: 10, maxWaitMs: 20 }, signal, all);
    expect(batch.map((r) => r.offset)).toEqual([1n, 2n]);
  });
});
