import { describe, expect, it } from 'vitest';
import { chartGeometry, niceTicks } from './chart-geometry.ts';

const box = { width: 110, height: 60, padding: { top: 5, right: 5, bottom: 5, left: 5 } };

describe('niceTicks', () => {
  it('covers the maximum with round steps', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 50, 100]);
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(1, 4, true)).toEqual([0, 1]);
    expect(niceTicks(3, 4, true)).toEqual([0, 1, 2, 3]);
  });
});

describe('chartGeometry', () => {
  it('maps points into the plot area, y up', () => {
    const g = chartGeometry(
      [
        {
          name: 'lag',
          points: [
            { x: 0, y: 0 },
            { x: 50, y: 8 },
            { x: 100, y: 4 },
          ],
        },
      ],
      box,
    );
    expect(g.yMax).toBe(8);
    expect(g.paths[0]?.d).toBe('M5 55L55 5L105 30');
    expect(g.paths[0]?.last).toEqual({ x: 105, y: 30 });
    expect(g.yTicks[0]).toEqual({ value: 0, y: 55 });
    expect(g.xTicks.map((t) => t.x)).toEqual([5, 30, 55, 80, 105]);
    expect(g.empty).toBe(false);
  });

  it('breaks lines at gaps and handles no data', () => {
    const g = chartGeometry(
      [
        {
          name: 'p95',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: null },
            { x: 2, y: 1 },
          ],
        },
      ],
      box,
    );
    expect(g.paths[0]?.d.match(/M/g)).toHaveLength(2);
    const single = chartGeometry([{ name: 'one', points: [{ x: 7, y: 2 }] }], box);
    expect(single.xTicks).toEqual([{ value: 7, x: 105 }]);
    const none = chartGeometry([], box);
    expect(none).toMatchObject({ empty: true, paths: [], xTicks: [] });
  });
});
