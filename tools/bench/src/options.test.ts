import { describe, expect, it } from 'vitest';
import { parseDuration, parseOptions } from './options.ts';

describe('parseDuration', () => {
  it('reads units and bare seconds', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(() => parseDuration('soon')).toThrow(/invalid duration/);
  });
});

describe('parseOptions', () => {
  it('defaults to the full run at 500/s for 60 s with the bound', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({
      mode: 'full',
      quick: false,
      rate: 500,
      durationMs: 60_000,
      bound: true,
      fsync: true,
      latest: true,
      pgClients: [10, 32],
    });
  });

  it('makes --quick a short fixed run without bound, pg_stat_statements or latest.md', () => {
    expect(parseOptions(['--quick'])).toMatchObject({
      mode: 'fixed',
      rate: 100,
      durationMs: 10_000,
      bound: false,
      pgStats: false,
      latest: false,
    });
    expect(parseOptions(['--quick', '--rate', '50']).rate).toBe(50);
  });

  it('reads find-max, service env and the system under test', () => {
    const o = parseOptions([
      '--mode',
      'find-max',
      '--start',
      '1000',
      '--step-duration',
      '15s',
      '--env',
      'DB_POOL_MAX=20',
      '--env',
      'CONSUMER_MAX_BATCH=1000',
      '--url',
      'http://127.0.0.1:8000',
      '--fsync',
      'off',
      '--no-bound',
    ]);
    expect(o.mode).toBe('find-max');
    expect(o.findMax).toMatchObject({ start: 1000, step: 500, stepDurationMs: 15_000 });
    expect(o.serviceEnv).toEqual({ DB_POOL_MAX: '20', CONSUMER_MAX_BATCH: '1000' });
    expect(o.url).toBe('http://127.0.0.1:8000');
    expect(o.fsync).toBe(false);
    expect(o.bound).toBe(false);
  });

  it('rejects bad values', () => {
    expect(() => parseOptions(['--rate', '0'])).toThrow(/--rate/);
    expect(() => parseOptions(['--mode', 'fast'])).toThrow(/--mode/);
    expect(() => parseOptions(['--env', 'NOEQUALS'])).toThrow(/KEY=VALUE/);
    expect(() => parseOptions(['--fsync', 'maybe'])).toThrow(/--fsync/);
    expect(() => parseOptions(['--unknown'])).toThrow();
  });
});
