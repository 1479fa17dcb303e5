import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './faults/kinds.ts';
import { parseDuration, parseOptions } from './options.ts';

describe('parseOptions', () => {
  it('has defaults for a 5-minute campaign at 100 orders/s with every fault kind', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({
      durationMs: 300_000,
      rate: 100,
      faultIntervalMs: 8000,
      maxActive: 2,
      keep: false,
    });
    expect(o.kinds).toEqual([...FAULT_KINDS]);
    expect(Number.isSafeInteger(o.seed)).toBe(true);
  });

  it('takes a seed, a duration, a rate and a subset of fault kinds', () => {
    const o = parseOptions([
      '--seed',
      '42',
      '--duration',
      '30m',
      '--rate',
      '150',
      '--faults',
      'pause,net-cut',
    ]);
    expect(o).toMatchObject({ seed: 42, durationMs: 1_800_000, rate: 150, kinds: ['pause', 'net-cut'] });
  });

  it("runs on the local stack's fast failure detection unless asked for Kafka's stock one", () => {
    expect(parseOptions([]).brokerTiming).toBe('fast');
    expect(parseOptions(['--broker-timing', 'stock']).brokerTiming).toBe('stock');
    expect(() => parseOptions(['--broker-timing', 'slow'])).toThrow(
      '--broker-timing: expected fast or stock',
    );
  });

  it('names the flag of a bad value', () => {
    expect(() => parseOptions(['--faults', 'pause,meteor'])).toThrow('--faults: unknown kind(s) meteor');
    expect(() => parseOptions(['--rate', '0'])).toThrow('--rate');
    expect(() => parseOptions(['--seed', 'x'])).toThrow('--seed');
    expect(() => parseDuration('5 minutes', '--duration')).toThrow('--duration: expected a duration');
  });

  it('reads durations in ms, s, m and h', () => {
    expect(parseDuration('250ms', 'd')).toBe(250);
    expect(parseDuration('90', 'd')).toBe(90_000);
    expect(parseDuration('1.5m', 'd')).toBe(90_000);
    expect(parseDuration('1h', 'd')).toBe(3_600_000);
  });
});
