import { describe, expect, it } from 'vitest';
import { parseConsumerPerformance, parseProducerPerformance } from './bound-kafka.ts';
import { parsePgbenchTps } from './bound-postgres.ts';

describe('parseProducerPerformance', () => {
  it('takes the final summary line, not the interim ones', () => {
    const output = [
      '612345 records sent, 122469.0 records/sec (35.04 MB/sec), 180.2 ms avg latency, 410.0 ms max latency.',
      '1000000 records sent, 131406.043 records/sec (37.59 MB/sec), 171.55 ms avg latency, 431.00 ms max latency, 160 ms 50th, 330 ms 95th, 401 ms 99th, 425 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({
      records: 1_000_000,
      recordsPerSec: 131406.043,
      mbPerSec: 37.59,
      avgLatencyMs: 171.55,
      maxLatencyMs: 431,
      p50Ms: 160,
      p99Ms: 401,
    });
  });

  it('returns undefined without a summary', () => {
    expect(parseProducerPerformance('Exception in thread "main"')).toBeUndefined();
  });
});

describe('parseConsumerPerformance', () => {
  it('reads the totals by column name', () => {
    const output = [
      'WARN some log line',
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-01-01 10:00:00:000, 2026-01-01 10:00:05:000, 286.1023, 57.2205, 1000000, 200000.0000, 312, 4688, 61.0287, 213310.5802',
    ].join('\n');
    expect(parseConsumerPerformance(output)).toEqual({
      records: 1_000_000,
      recordsPerSec: 200000,
      fetchRecordsPerSec: 213310.5802,
      mbPerSec: 57.2205,
      rebalanceMs: 312,
    });
  });

  it('returns undefined without the header', () => {
    expect(parseConsumerPerformance('nothing')).toBeUndefined();
  });
});

describe('parsePgbenchTps', () => {
  it('reads tps and the transaction count', () => {
    const output = `transaction type: order.sql
scaling factor: 1
number of clients: 10
number of transactions actually processed: 41234
latency average = 2.425 ms
tps = 4123.456789 (without initial connection time)`;
    expect(parsePgbenchTps(output)).toEqual({ tps: 4123.456789, transactions: 41234 });
    expect(parsePgbenchTps('connection failed')).toBeUndefined();
  });
});
