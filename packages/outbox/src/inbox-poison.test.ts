import type { IncomingMessage } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from './dead-letter.ts';
import { InboxError, rejectEvent } from './inbox-failures.ts';
import { isolatePoison } from './inbox-poison.ts';

// The split's decisions, with the database replaced by a table of outcomes per event (the
// integration tests in ../test run the same code against Postgres and Kafka).

function event(offset: number, key = `k${offset}`): { message: IncomingMessage } {
  return {
    message: {
      topic: 't',
      partition: 0,
      offset: BigInt(offset),
      key,
      value: Buffer.from('{}'),
      headers: {},
      timestamp: 0,
    },
  };
}

const pg = (code: string) =>
  new Error('Failed query: x', { cause: Object.assign(new Error(code), { code }) });

async function split(outcomes: (Error | undefined)[], options: { probe?: boolean; keys?: string[] } = {}) {
  const events = outcomes.map((_, i) => event(i, options.keys?.[i]));
  const applied: number[] = [];
  const letters: DeadLetter[] = [];
  const result = await isolatePoison(events, {
    applyOne: async (e) => {
      const outcome = outcomes[Number(e.message.offset)];
      if (outcome) throw outcome;
      applied.push(Number(e.message.offset));
    },
    deadLetter: async (l) => {
      letters.push(...l);
    },
    probe: async () => options.probe ?? true,
    attempts: 3,
  }).then(
    () => 'done' as const,
    (error: unknown) => error,
  );
  return { result, applied, deadLettered: letters.map((l) => Number(l.message.offset)), letters };
}

describe('isolatePoison', () => {
  it('dead-letters a value or data rejection that fails beside events that succeed', async () => {
    const { result, applied, deadLettered, letters } = await split([
      undefined,
      pg('22P02'),
      undefined,
      pg('23505'),
      rejectEvent('rule'),
    ]);
    expect(result).toBe('done');
    expect(applied).toEqual([0, 2]);
    expect(deadLettered).toEqual([1, 3, 4]);
    expect(letters[0]?.error).toMatch(/SQLSTATE 22P02/);
    expect(letters[0]?.attempts).toBe(3);
  });

  it('stops at an environmental failure without dead-lettering anything', async () => {
    const { result, deadLettered } = await split([pg('22P02'), undefined, pg('57014'), undefined]);
    expect((result as Error & { cause: { code: string } }).cause.code).toBe('57014');
    expect(deadLettered).toEqual([]);
  });

  it('judges each value rejection alone when nothing succeeds: two poison events fetched together', async () => {
    const { result, deadLettered } = await split([pg('23514'), pg('22P02')]);
    expect(result).toBe('done');
    expect(deadLettered).toEqual([0, 1]);
  });

  it('suspects the environment for data rejections when nothing else succeeds', async () => {
    const { result, deadLettered } = await split([pg('23502'), pg('23502'), pg('22P02')]);
    expect(result).toBeInstanceOf(InboxError);
    expect((result as InboxError).code).toBe('BATCH_NOT_APPLIED');
    expect((result as InboxError).retryable).toBe(true);
    expect(deadLettered).toEqual([2]);
  });

  it('dead-letters a lone value rejection only when the database answers the probe', async () => {
    expect((await split([pg('22P02')])).deadLettered).toEqual([0]);
    expect((await split([rejectEvent('never')])).deadLettered).toEqual([0]);
    const unreachable = await split([pg('22P02'), pg('22P02')], { probe: false });
    expect(unreachable.deadLettered).toEqual([]);
    expect(unreachable.result).toBeInstanceOf(InboxError);
  });

  it('never dead-letters a lone data rejection or an unknown error', async () => {
    for (const error of [pg('23505'), pg('23503'), pg('42601'), new TypeError('x is undefined')]) {
      const { result, deadLettered } = await split([error]);
      expect(deadLettered, String(error)).toEqual([]);
      expect(result).toBeInstanceOf(InboxError);
    }
  });

  it('applies the others but never dead-letters an unknown error, then asks for a retry', async () => {
    const { result, applied, deadLettered } = await split([undefined, new TypeError('bug'), undefined]);
    expect(applied).toEqual([0, 2]);
    expect(deadLettered).toEqual([]);
    expect(result).toBeInstanceOf(InboxError);
  });

  it('holds later events of a failed event’s key, so a key is never applied out of order', async () => {
    const { result, applied, deadLettered } = await split([undefined, new TypeError('bug'), undefined], {
      keys: ['a', 'b', 'b'],
    });
    expect(applied).toEqual([0]);
    expect(deadLettered).toEqual([]);
    expect((result as Error).message).toMatch(/1 waiting for an earlier event of their key/);
    // A poison event frees its key only on the next attempt (it is then skipped as dead-lettered).
    const poisoned = await split([undefined, pg('22P02'), undefined], { keys: ['a', 'b', 'b'] });
    expect(poisoned.deadLettered).toEqual([1]);
    expect(poisoned.result).toBeInstanceOf(InboxError);
  });

  it('returns when every event applies one by one (the batch failure did not repeat)', async () => {
    expect((await split([undefined, undefined])).result).toBe('done');
  });
});
