import { waitFor } from '@kafka-poc/testing';
import { readFacts } from '@kafka-poc/verification';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';
import { metricSum } from '../support/prometheus.ts';

// Orders through the three services, then: every service's /metrics counts exactly those orders,
// and one order's spans from all three services share one trace (in-memory span exporter).

const ORDERS = 20;
let pipeline: TestPipeline;
const spans = new InMemorySpanExporter();
let traceIds: string[] = [];

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=10', spanExporter: spans });
  await pipeline.startAll();
  const responses = await Promise.all(
    Array.from({ length: ORDERS }, (_, i) =>
      request('POST', `${pipeline.url('order')}/orders`, {
        item: i % 2 === 0 ? 'Laptop' : 'Unicorn',
        quantity: 1,
      }),
    ),
  );
  traceIds = responses.map((r) => r.headers.get('x-trace-id') ?? '');
  await waitFor(() => readFacts(pipeline.env.DATABASE_URL ?? ''), {
    until: (f) => f.notifications.length === ORDERS && f.orders.every((o) => o.status !== 'PENDING'),
    timeoutMs: 30_000,
    message: 'all orders final and notified',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('metrics', () => {
  it('count exactly the orders that went through, in every service', async () => {
    const order = pipeline.url('order');
    const inventory = pipeline.url('inventory');
    const notification = pipeline.url('notification');
    const { orderEvents, inventoryEvents } = pipeline.topics;
    // Counters are updated after each commit; give the last one a moment.
    await waitFor(
      // order-events: each order's order.created (read and skipped) and its status event.
      () => metricSum(notification, 'events_consumed_total', { topic: orderEvents, outcome: 'ok' }),
      {
        until: (n) => n === 2 * ORDERS,
        message: 'notification consumed counter',
      },
    );
    await waitFor(
      () => metricSum(order, 'events_consumed_total', { topic: inventoryEvents, outcome: 'ok' }),
      {
        until: (n) => n === ORDERS,
        message: 'order consumed counter',
      },
    );
    expect(await metricSum(order, 'orders_created_total')).toBe(ORDERS);
    // order.created and one status event (order.confirmed | order.rejected) per order.
    expect(await metricSum(order, 'events_published_total', { outbox: 'order_outbox' })).toBe(2 * ORDERS);
    expect(await metricSum(order, 'order_final_latency_seconds_count')).toBe(ORDERS);
    expect(
      await metricSum(order, 'http_request_duration_seconds_count', {
        route: '/orders',
        method: 'POST',
        status: '201',
      }),
    ).toBe(ORDERS);
    expect(await metricSum(inventory, 'events_consumed_total', { topic: orderEvents, outcome: 'ok' })).toBe(
      2 * ORDERS,
    );
    expect(await metricSum(inventory, 'inventory_decisions_total', { status: 'RESERVED' })).toBe(ORDERS / 2);
    expect(await metricSum(inventory, 'inventory_decisions_total', { status: 'REJECTED' })).toBe(ORDERS / 2);
    expect(await metricSum(inventory, 'events_published_total', { outbox: 'inventory_outbox' })).toBe(ORDERS);
    expect(await metricSum(notification, 'order_notified_latency_seconds_count')).toBe(ORDERS);
    for (const base of [order, inventory, notification]) {
      expect(await metricSum(base, 'events_consumed_total', { outcome: 'dead_lettered' })).toBe(0);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toMatch(/^db_pool_connections\{.*state="in_use"/m);
      expect(text).toMatch(/^outbox_backlog_rows|^consumer_batch_duration_seconds_bucket/m);
    }
  });
  it("reads each group's lag from the broker when /metrics is scraped", async () => {
    // No timer samples lag: a scrape asks the broker (committed against latest offsets; a sample is
    // served again for 5 s). Every order is handled and offsets are committed within
    // CONSUMER_COMMIT_INTERVAL_MS: lag 0.
    const { orderEvents, inventoryEvents } = pipeline.topics;
    const consumers: [string, string][] = [
      [pipeline.url('inventory'), orderEvents],
      [pipeline.url('notification'), orderEvents],
      [pipeline.url('order'), inventoryEvents],
    ];
    for (const [base, topic] of consumers) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const series = text
        .split('\n')
        .filter((l) => l.startsWith('consumer_lag_records{') && l.includes(`topic="${topic}"`));
      expect(series.length, `${base}: a lag series per partition of ${topic}`).toBeGreaterThan(0);
      await waitFor(() => metricSum(base, 'consumer_lag_records', { topic }), {
        until: (lag) => lag === 0,
        timeoutMs: 20_000, // a sample is reused for 5 s
        message: `${base}: lag of ${topic} back to 0`,
      });
    }
  });
});

describe('tracing', () => {
  it('puts one order through one trace across the three services', async () => {
    const traceId = traceIds[0] ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const ofTrace = await waitFor(
      () => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId),
      {
        until: (list) => list.length >= 6,
        timeoutMs: 10_000,
        message: 'six spans of the first order (order.created and its status event are read by two groups)',
      },
    );
    const byService = new Map<string, string[]>();
    for (const span of ofTrace) {
      const service = String(span.resource.attributes['service.name']);
      byService.set(service, [...(byService.get(service) ?? []), span.name]);
    }
    expect(byService.get('order-service')).toEqual(
      expect.arrayContaining(['POST /orders', `${pipeline.topics.inventoryEvents} process`]),
    );
    // Both read order-events: the order's order.created and its status event.
    const twice = [`${pipeline.topics.orderEvents} process`, `${pipeline.topics.orderEvents} process`];
    expect(byService.get('inventory-service')).toEqual(twice);
    expect(byService.get('notification-service')).toEqual(twice);
    // Each consumer span is a child of the span that produced its event.
    const ids = new Set(ofTrace.map((s) => s.spanContext().spanId));
    const roots = ofTrace.filter((s) => !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId));
    expect(roots.map((s) => s.name)).toEqual(['POST /orders']);
  });

  it('continues a trace the client started', async () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Laptop', quantity: 1 },
      { traceparent: parent },
    );
    expect(response.headers.get('x-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});
