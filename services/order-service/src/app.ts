import { fileURLToPath } from 'node:url';
import { CONSUMED_TOPIC, SERVICE_DATA, SERVICES } from '@kafka-poc/contracts';
import { sqlState } from '@kafka-poc/db';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { OrderServiceConfig } from './config.ts';
import { decisionTimingProblems } from './orders/decision-timing.ts';
import { inventoryDecisionsHandler } from './orders/inventory-decisions.ts';
import { LifecycleWorker } from './orders/lifecycle-worker.ts';
import { OrderIntake } from './orders/order-intake.ts';
import { getOrders } from './orders/order-repository.ts';
import { OrderStatusWatch } from './orders/order-status-watch.ts';
import { registerOrderWatchRoutes } from './orders/order-watch-routes.ts';
import { registerOrderRoutes } from './orders/routes.ts';

/** drizzle-kit's SQL migrations, applied at start in the service's own schema. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires order-service: REST API writing orders + outbox (place, cancel, wait, stream), the relay
 * publishing order-events, the consumer of inventory-events that decides order status, the worker
 * expiring undecided orders, and the LISTEN connection that wakes waiting clients. Everything comes
 * from `config`.
 */
export async function createOrderService(
  config: OrderServiceConfig,
  options: { logger?: Logger; spanExporter?: SpanExporter } = {},
) {
  const runtime = new ServiceRuntime({
    config,
    title: 'order-service',
    description: 'Accepts orders and tracks their status through the inventory decision.',
    version: '1.0.0',
    database: { schema: SERVICE_DATA.order.schema, migrationsFolder },
    topics: [config.topics.orderEvents, config.topics.inventoryEvents],
    // An order crosses inventory-service's group as well as ours before it is decided.
    timings: {
      groups: [SERVICES.inventory],
      check: (timings) =>
        decisionTimingProblems(
          {
            decisionTimeoutMs: config.lifecycle.decisionTimeoutMs,
            expiryIntervalMs: config.lifecycle.expiryIntervalMs,
            relayTakeoverMs: config.kafka.relayTakeoverMs,
          },
          timings,
        ),
    },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
  });
  const registers = [runtime.metrics.registry];
  const ordersCreated = new Counter({
    name: 'orders_created_total',
    help: 'Orders accepted (201, not idempotent replays)',
    registers,
  });
  const finalLatency = new Histogram({
    name: 'order_final_latency_seconds',
    help: 'End-to-end latency from order accepted to final status (CONFIRMED or REJECTED) committed',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const statusChanges = new Counter({
    name: 'order_status_changes_total',
    help: 'Orders that reached a status (CONFIRMED, REJECTED, CANCELLED, EXPIRED), counted once each when committed',
    labelNames: ['status'] as const,
    registers,
  });
  const announced = new Counter({
    name: 'order_status_announced_late_total',
    help: 'Decided orders announced on order-events by the announcer (decided by an older release)',
    registers,
  });
  const relay = runtime.addRelay('order_outbox');
  runtime.addInboxRetention('order_inbox');
  const consumed = runtime.pipeline.eventsConsumed;
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [config.topics[CONSUMED_TOPIC.order]],
    handler: inventoryDecisionsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
      orderEventsTopic: config.topics.orderEvents,
      tracer: runtime.eventTracer(config.groupId),
      onFinalized: (orders) => {
        const now = Date.now();
        for (const order of orders) {
          finalLatency.observe((now - order.createdAt.getTime()) / 1000);
          statusChanges.labels(order.status).inc();
        }
        if (orders.length > 0) relay.notify();
      },
      hooks: {
        onCommitted: (applied, duplicates) => {
          consumed.labels(config.topics.inventoryEvents, 'ok').inc(applied.length);
          consumed.labels(config.topics.inventoryEvents, 'duplicate').inc(duplicates);
        },
        onDeadLettered: (letters) => {
          consumed.labels(config.topics.inventoryEvents, 'dead_lettered').inc(letters.length);
          runtime.logger.warn(
            { count: letters.length, error: letters[0]?.error },
            'dead-lettered inventory events',
          );
        },
      },
    }),
  });
  const intakeBatch = new Histogram({
    name: 'order_intake_batch_size',
    help: 'Orders written by one intake statement (concurrent POST /orders are written together)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers,
  });
  const intakeRetries = new Counter({
    name: 'order_intake_retries_total',
    help: 'Intake statements written again after a transient failure (deadlock, lost connection, …)',
    registers,
  });
  const intake = new OrderIntake({
    db: runtime.db,
    orderEventsTopic: config.topics.orderEvents,
    ...config.intake,
    onBatch: (size) => intakeBatch.observe(size),
    onRetry: (error, attempt, batchSize) => {
      intakeRetries.inc();
      runtime.logger.warn(
        { err: error, sqlstate: sqlState(error), attempt, batchSize },
        'order intake retrying a batch (same order ids)',
      );
    },
  });
  runtime.addWorker({ name: 'order intake', start: () => undefined, stop: () => intake.stop() });
  const lifecycle = new LifecycleWorker({
    db: runtime.db,
    topic: config.topics.orderEvents,
    logger: runtime.logger,
    decisionTimeoutMs: config.lifecycle.decisionTimeoutMs,
    intervalMs: config.lifecycle.expiryIntervalMs,
    batchSize: config.lifecycle.expiryBatch,
    onExpired: (orders) => {
      statusChanges.labels('EXPIRED').inc(orders.length);
      relay.notify();
    },
    onAnnounced: (count) => {
      announced.inc(count);
      relay.notify();
    },
  });
  runtime.addWorker({ name: 'order expiry', start: () => lifecycle.start(), stop: () => lifecycle.stop() });
  const watch = new OrderStatusWatch({
    url: config.database.url,
    ssl: config.database.ssl,
    logger: runtime.logger,
    maxWatchers: config.watch.maxClients,
    readOrders: (ids) => getOrders(runtime.db, ids),
  });
  // Started at once (not with the workers): clients may wait as soon as HTTP answers.
  watch.start();
  runtime.addWorker({ name: 'order status watch', start: () => undefined, stop: () => watch.stop() });
  new Gauge({
    name: 'order_watchers',
    help: 'Clients waiting for an order (?wait) or streaming its events on this instance',
    registers,
    collect() {
      this.set(watch.watching);
    },
  });
  runtime.readiness.add('order-status-listener', () => ({
    // Not a failure: waits still answer (at the end of the wait); reported so it shows.
    ok: true,
    detail: watch.connected ? 'listening' : 'reconnecting',
  }));
  const http = await runtime.createHttp();
  registerOrderRoutes(http, {
    db: runtime.db,
    intake,
    orderEventsTopic: config.topics.orderEvents,
    onOrderCreated: () => {
      ordersCreated.inc();
      relay.notify();
    },
    onOrderCancelled: () => {
      statusChanges.labels('CANCELLED').inc();
      relay.notify();
    },
  });
  await registerOrderWatchRoutes(http, {
    db: runtime.db,
    watch,
    streamMaxMs: config.watch.streamMaxMs,
  });
  return runtime;
}
