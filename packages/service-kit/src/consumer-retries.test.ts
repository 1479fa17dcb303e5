import { InboxError } from '@kafka-poc/outbox';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConsumerRetries } from './consumer-retries.ts';
import { createLogger } from './logger.ts';
import { createPipelineMetrics } from './runtime-metrics.ts';

function setup() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 's',
    instance: 'i',
    level: 'debug',
    pretty: false,
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry);
  let now = 1_000_000;
  const retries = new ConsumerRetries({
    group: 'g',
    metrics,
    logger,
    alertAfterMs: 60_000,
    alertEveryMs: 300_000,
    now: () => now,
  });
  return { lines, registry, retries, advance: (ms: number) => (now += ms) };
}

const timeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

describe('ConsumerRetries', () => {
  it('counts each failed attempt by reason and logs the SQLSTATE', async () => {
    const { lines, registry, retries } = setup();
    retries.failed(new Error('Failed query', { cause: timeout }), { attempt: 1, batchSize: 3 });
    retries.failed(new TypeError('bug'), { attempt: 2, batchSize: 3 });
    const counter = await registry.getSingleMetric('consumer_batch_retries_total')?.get();
    expect(counter?.values.map((v) => [v.labels.reason, v.value])).toEqual([
      ['environment', 1],
      ['unclassified', 1],
    ]);
    expect(lines[0]).toMatchObject({ level: 40, sqlstate: '57014', reason: 'environment', attempt: 1 });
  });

  it('exposes how long the current batch has been retried, and logs an error once it lasts', async () => {
    const { lines, registry, retries, advance } = setup();
    const gauge = () =>
      registry
        .getSingleMetric('consumer_batch_retrying_seconds')
        ?.get()
        .then((m) => m.values[0]?.value);
    expect(await gauge()).toBe(0);
    retries.failed(timeout, { attempt: 1, batchSize: 1 });
    advance(61_000);
    retries.failed(timeout, { attempt: 2, batchSize: 1 });
    advance(1_000);
    retries.failed(timeout, { attempt: 3, batchSize: 1 });
    expect(lines.map((l) => l.level)).toEqual([40, 50, 40]);
    expect(lines[1]).toMatchObject({ retryingForMs: 61_000 });
    expect(await gauge()).toBeGreaterThan(0);
    retries.succeeded();
    expect(await gauge()).toBe(0);
    expect(lines[3]).toMatchObject({ level: 30, attempts: 3, retriedForMs: 62_000 });
  });

  it('reports a parked event of a newer producer at error level at once', () => {
    const { lines, retries } = setup();
    const parked = new InboxError('EVENT_UNSUPPORTED', 'unsupported version 2', { retryable: true });
    retries.failed(parked, { attempt: 1, batchSize: 1 });
    retries.failed(parked, { attempt: 2, batchSize: 1 });
    expect(lines.map((l) => [l.level, l.reason])).toEqual([
      [50, 'unsupported_event'],
      [40, 'unsupported_event'],
    ]);
  });
});
