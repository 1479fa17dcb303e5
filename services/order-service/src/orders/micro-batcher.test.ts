import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

/** A run() whose batches finish only when the test says so, recording what each batch held. */
function controlledRun<T>() {
  const batches: T[][] = [];
  const finishers: (() => void)[] = [];
  const run = (items: T[]) => {
    batches.push(items);
    return new Promise<string[]>((resolve) => finishers.push(() => resolve(items.map((i) => `done ${i}`))));
  };
  const finishNext = async () => {
    finishers.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { run, batches, finishNext };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('runs calls made in the same turn as one batch and answers each with its own result', async () => {
    const calls: number[][] = [];
    const sizes: number[] = [];
    const batcher = new MicroBatcher({
      run: async (items: number[]) => {
        calls.push(items);
        return items.map((i) => i * 10);
      },
      maxBatchSize: 100,
      maxInFlight: 1,
      onBatch: (size) => sizes.push(size),
    });
    await expect(Promise.all([1, 2, 3].map((i) => batcher.submit(i)))).resolves.toEqual([10, 20, 30]);
    await expect(batcher.submit(7)).resolves.toBe(70);
    expect(calls).toEqual([[1, 2, 3], [7]]);
    expect(sizes).toEqual([3, 1]);
  });

  it('queues calls while every slot is busy and sends them together next, up to maxBatchSize', async () => {
    const c = controlledRun<number>();
    const batcher = new MicroBatcher({ run: c.run, maxBatchSize: 3, maxInFlight: 1 });
    const first = batcher.submit(1);
    await turn();
    const later = [2, 3, 4, 5].map((i) => batcher.submit(i));
    await turn();
    expect(c.batches).toEqual([[1]]);
    expect(batcher.pending).toBe(5);
    await c.finishNext();
    await expect(first).resolves.toBe('done 1');
    expect(c.batches).toEqual([[1], [2, 3, 4]]);
    await c.finishNext();
    expect(c.batches).toEqual([[1], [2, 3, 4], [5]]);
    await c.finishNext();
    await expect(Promise.all(later)).resolves.toEqual(['done 2', 'done 3', 'done 4', 'done 5']);
    expect(batcher.pending).toBe(0);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const c = controlledRun<number>();
    const batcher = new MicroBatcher({ run: c.run, maxBatchSize: 10, maxInFlight: 2 });
    void batcher.submit(1);
    await turn();
    void batcher.submit(2);
    await turn();
    void batcher.submit(3);
    await turn();
    expect(c.batches).toEqual([[1], [2]]);
    await c.finishNext();
    expect(c.batches).toEqual([[1], [2], [3]]);
    await c.finishNext();
    await c.finishNext();
    await batcher.drained();
  });

  it('never puts two items with the same key in one batch', async () => {
    const calls: string[][] = [];
    const batcher = new MicroBatcher({
      run: async (items: string[]) => {
        calls.push(items);
        return items;
      },
      maxBatchSize: 10,
      maxInFlight: 1,
      keyOf: (item) => (item.startsWith('k') ? item.slice(0, 2) : undefined),
    });
    await Promise.all(['ka-1', 'x', 'ka-2', 'kb-1', 'y', 'ka-3'].map((i) => batcher.submit(i)));
    expect(calls).toEqual([['ka-1', 'x', 'kb-1', 'y'], ['ka-2'], ['ka-3']]);
  });

  it('on a failure that allows splitting, retries each item alone so only the bad one fails', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher({
      run: async (items: number[]) => {
        calls.push(items);
        if (items.includes(2)) throw new Error('bad item');
        return items;
      },
      maxBatchSize: 10,
      maxInFlight: 1,
      splitOnError: (error) => (error as Error).message === 'bad item',
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('fails every item of the batch with the error when splitting would not help', async () => {
    const outage = new Error('database unavailable');
    const batcher = new MicroBatcher({
      run: async (): Promise<number[]> => {
        throw outage;
      },
      maxBatchSize: 10,
      maxInFlight: 1,
      splitOnError: () => false,
    });
    const results = await Promise.allSettled([1, 2].map((i) => batcher.submit(i)));
    expect(results).toEqual([
      { status: 'rejected', reason: outage },
      { status: 'rejected', reason: outage },
    ]);
    expect(batcher.pending).toBe(0);
  });

  it('rejects every item when run() answers with the wrong number of results', async () => {
    const batcher = new MicroBatcher({ run: async () => [1], maxBatchSize: 10, maxInFlight: 1 });
    const results = await Promise.allSettled([1, 2].map((i) => batcher.submit(i)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
  });

  it('drained() resolves once everything submitted has settled', async () => {
    const c = controlledRun<number>();
    const batcher = new MicroBatcher({ run: c.run, maxBatchSize: 10, maxInFlight: 1 });
    await batcher.drained();
    void batcher.submit(1);
    let drained = false;
    const done = batcher.drained().then(() => {
      drained = true;
    });
    await turn();
    expect(drained).toBe(false);
    await c.finishNext();
    await done;
    expect(drained).toBe(true);
  });

  it('refuses limits below 1', () => {
    expect(() => new MicroBatcher({ run: async () => [], maxBatchSize: 0, maxInFlight: 1 })).toThrow(
      RangeError,
    );
  });
});
