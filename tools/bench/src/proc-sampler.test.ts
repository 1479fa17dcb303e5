import { describe, expect, it } from 'vitest';
import {
  cpuMsPerUnit,
  type ProcPoint,
  parseMachineStat,
  parseProcStat,
  slope,
  summarizeResources,
} from './proc-sampler.ts';

describe('parseProcStat', () => {
  it('reads ppid, cpu ticks and rss even when the name has spaces and parentheses', () => {
    const text =
      '4242 (node (worker) x) S 4200 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 11 0 5000 1234567 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseProcStat(text)).toEqual({ ppid: 4200, ticks: 175, rssPages: 2560 });
  });

  it('returns undefined for garbage', () => {
    expect(parseProcStat('nonsense')).toBeUndefined();
  });
});

describe('parseMachineStat', () => {
  it('counts idle and iowait as not busy', () => {
    const text = 'cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n';
    expect(parseMachineStat(text)).toEqual({ busy: 160, total: 1000 });
  });
});

describe('slope / summarizeResources', () => {
  it('fits a least-squares slope', () => {
    expect(slope([])).toBe(0);
    expect(slope([[0, 5]])).toBe(0);
    expect(
      slope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2, 10);
  });

  it('summarizes cpu and the rss trend per process within a window', () => {
    const points: ProcPoint[] = Array.from({ length: 11 }, (_, i) => ({
      t: i * 6,
      cpu: { 'order-service': 40 + (i % 2) * 20, bench: 10 },
      rssMb: { 'order-service': 100 + i * 0.5, bench: 50 },
      machineCpu: 150,
      othersCpu: 90,
      load1: 2 + i / 10,
    }));
    const s = summarizeResources(points, 0, 60);
    const order = s.processes.find((p) => p.name === 'order-service');
    expect(order).toMatchObject({ cpuMean: 49.1, cpuMax: 60, rssFirst: 100, rssLast: 105, rssMax: 105 });
    expect(order?.rssSlopeMbPerMin).toBeCloseTo(5, 5); // 0.5 MB per 6 s
    expect(s.processes.find((p) => p.name === 'bench')?.rssSlopeMbPerMin).toBe(0);
    expect(s).toMatchObject({ machineCpuMean: 150, othersCpuMean: 90, load1Max: 3 });
    expect(summarizeResources(points, 30, 40).processes[0]?.rssFirst).toBe(102.5);
  });
});

describe('cpuMsPerUnit', () => {
  it('integrates CPU over the window and divides by the work done', () => {
    const points: ProcPoint[] = Array.from({ length: 11 }, (_, i) => ({
      t: i,
      cpu: { a: 50, b: 100 },
      rssMb: {},
      machineCpu: 150,
      othersCpu: 0,
      load1: 0,
    }));
    // 10 s at half a core = 5000 ms of CPU for 1000 orders = 5 ms each; b uses a full core.
    expect(cpuMsPerUnit(points, 0, 10, 1000)).toEqual({ a: 5, b: 10 });
    // Partial windows count only their part.
    expect(cpuMsPerUnit(points, 2.5, 4.5, 100)).toEqual({ a: 10, b: 20 });
    expect(cpuMsPerUnit(points, 0, 10, 0)).toEqual({});
  });
});
