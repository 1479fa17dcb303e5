import { describe, expect, it } from 'vitest';
import type { NotificationFact, OrderFact } from './exactly-once.ts';
import { phaseLatencies, phaseThroughput, STAGES, stageLatencies } from './latency.ts';
import { type LoadSamples, outcomeLabel } from './load-generator.ts';

const EPOCH = 1_700_000_000_000;

function samples(rows: { intended: number; sent: number; done: number; outcome: number; id?: string }[]) {
  const s: LoadSamples = {
    epochStart: EPOCH,
    intended: Float64Array.from(rows.map((r) => r.intended)),
    sent: Float64Array.from(rows.map((r) => r.sent)),
    done: Float64Array.from(rows.map((r) => r.done)),
    outcome: Int16Array.from(rows.map((r) => r.outcome)),
    ids: rows.map((r) => r.id),
  };
  return s;
}

function order(id: string, createdAt: number, updatedAt: number, status = 'CONFIRMED'): [string, OrderFact] {
  return [
    id,
    { id, item: 'Phone', quantity: 1, status, createdAt: EPOCH + createdAt, updatedAt: EPOCH + updatedAt },
  ];
}

function note(orderId: string, createdAt: number, deliveredAt?: number): [string, NotificationFact] {
  return [
    orderId,
    {
      orderId,
      status: 'CONFIRMED',
      createdAt: EPOCH + createdAt,
      deliveredAt: deliveredAt === undefined ? undefined : EPOCH + deliveredAt,
      deliveryStatus: deliveredAt === undefined ? 'PENDING' : 'SENT',
    },
  ];
}

describe('phaseLatencies', () => {
  it('joins HTTP samples with stored timestamps, from the intended send time', () => {
    const s = samples([
      { intended: 0, sent: 1, done: 10, outcome: 201, id: 'a' },
      { intended: 500, sent: 520, done: 530, outcome: 201, id: 'b' },
      { intended: 1000, sent: 1000, done: 1004, outcome: 503 },
      { intended: 1500, sent: 1500, done: 1600, outcome: -1 },
    ]);
    const orders = new Map([order('a', 8, 30), order('b', 528, 540)]);
    const notes = new Map([note('a', 40, 45), note('b', 560)]);
    const l = phaseLatencies(s, orders, notes, outcomeLabel);

    expect(l.sent).toBe(4);
    expect(l.accepted).toBe(2);
    expect(l.outcomes).toEqual({ '201': 2, '503': 1, timeout: 1 });
    expect(l.http.max).toBe(30_000); // b: intended 500, answered 530 → 30 ms in µs
    expect(l.service.max).toBe(10_000);
    expect(l.sendLag.max).toBe(20_000);
    expect(l.decided.summary(1000)).toMatchObject({ count: 2, min: 10, max: 20 });
    expect(l.notified.summary(1000)).toMatchObject({ min: 30, max: 30 });
    expect(l.delivered.count).toBe(1);
    expect(l.db.summary(1000)).toMatchObject({ min: 32, max: 32 });
    expect(l.lastNotifiedAt).toBe(EPOCH + 560);
    expect(l.incomplete).toBe(0);

    expect(l.perSecond.map((p) => [p.second, p.sent, p.accepted, p.failed, p.notified])).toEqual([
      [0, 2, 2, 0, 2],
      [1, 2, 0, 2, 0],
    ]);
    expect(l.perSecond[0]?.notifiedP99).toBe(30);
  });

  it('counts negative end-to-end values and incomplete orders', () => {
    const s = samples([
      { intended: 0, sent: 0, done: 50, outcome: 201, id: 'a' },
      { intended: 1, sent: 1, done: 5, outcome: 201, id: 'b' },
    ]);
    const l = phaseLatencies(s, new Map([order('a', 2, 45)]), new Map([note('a', 48)]), outcomeLabel);
    expect(l.negative).toEqual({ decided: 1, notified: 1 });
    expect(l.decided.max).toBe(0);
    expect(l.incomplete).toBe(1);
  });
});

describe('phaseThroughput', () => {
  it('spreads notified orders over the time until the last one, never less than the load duration', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      intended: i * 10,
      sent: i * 10,
      done: i * 10 + 2,
      outcome: 201,
      id: `o${i}`,
    }));
    const s = samples(rows);
    const orders = new Map(rows.map((r) => order(r.id, r.done, r.done + 5)));
    const notes = new Map(rows.map((r) => note(r.id, r.done + 10)));
    const l = phaseLatencies(s, orders, notes, outcomeLabel);
    const t = phaseThroughput(l, s, 1000);
    expect(t.offered).toBe(100);
    expect(t.accepted).toBe(100);
    expect(t.endToEnd).toBeCloseTo(100 / 1.002, 5); // the last one was stored at 1002 ms
    expect(t.drainMs).toBe(2);

    // A backlog drained 1 s after the load stops halves the end-to-end rate.
    const late = new Map(rows.map((r) => note(r.id, r.done + 1000)));
    const t2 = phaseThroughput(phaseLatencies(s, orders, late, outcomeLabel), s, 1000);
    expect(t2.endToEnd).toBeCloseTo(100 / 1.992, 3);
  });
});

describe('stageLatencies', () => {
  it('splits the end-to-end time into the pipeline hops', () => {
    const [id, o] = order('a', 0, 60);
    const stages = {
      orderPublished: new Map([[id, EPOCH + 10]]),
      decided: new Map([[id, EPOCH + 25]]),
      decisionPublished: new Map([[id, EPOCH + 40]]),
    };
    const hops = stageLatencies([o], new Map([note('a', 52)]), stages);
    expect(hops.map((h) => h.name)).toEqual([...STAGES]);
    expect(hops.map((h) => h.histogram.max / 1000)).toEqual([10, 15, 15, 12, 20]);
  });

  it('skips hops with a missing timestamp', () => {
    const [, o] = order('b', 0, 60);
    const hops = stageLatencies([o], new Map(), {
      orderPublished: new Map(),
      decided: new Map(),
      decisionPublished: new Map(),
    });
    expect(hops.every((h) => h.histogram.count === 0)).toBe(true);
  });
});
