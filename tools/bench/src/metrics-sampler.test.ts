import { describe, expect, it } from 'vitest';
import { gaugeStats, type MetricsPoint, metricValue } from './metrics-sampler.ts';

const TEXT = `# HELP db_pool_connections DB pool connections by state (total, idle, waiting)
# TYPE db_pool_connections gauge
db_pool_connections{state="total",service="order-service"} 10
db_pool_connections{state="idle",service="order-service"} 0
db_pool_connections{state="in_use",service="order-service"} 10
db_pool_connections{state="waiting",service="order-service"} 37
db_pool_connections_total 5
nodejs_eventloop_lag_p99_seconds 0.0123
`;

describe('metricValue', () => {
  it('finds a sample by name and labels, not by prefix', () => {
    expect(metricValue(TEXT, 'db_pool_connections', { state: 'waiting' })).toBe(37);
    expect(metricValue(TEXT, 'db_pool_connections', { state: 'in_use' })).toBe(10);
    expect(metricValue(TEXT, 'db_pool_connections')).toBe(57);
    expect(metricValue(TEXT, 'db_pool_connections_total')).toBe(5);
    expect(metricValue(TEXT, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.0123);
    expect(metricValue(TEXT, 'missing')).toBeUndefined();
  });
});

describe('gaugeStats', () => {
  it('averages one gauge of one service over a window', () => {
    const points: MetricsPoint[] = [0, 2, 4, 6].map((t) => ({
      t,
      services: { 'order-service': { poolWaiting: t * 10, poolInUse: 10 } },
    }));
    expect(gaugeStats(points, 'order-service', 'poolWaiting', 1, 6)).toEqual({
      mean: 40,
      max: 60,
      samples: 3,
    });
    expect(gaugeStats(points, 'inventory-service', 'poolWaiting', 0, 6)).toBeUndefined();
  });
});
