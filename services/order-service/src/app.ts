import { fileURLToPath } from 'node:url';
import { SERVICE_DATA } from '@kafka-poc/contracts';
import { sqlState } from '@kafka-poc/db';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Counter, Histogram } from 'prom-client';
import type { OrderServiceConfig } from './config.ts';
import { inventoryDecisionsHandler } from './orders/inventory-decisions.ts';
import { OrderIntake } from './orders/order-intake.ts';
import { registerOrderRoutes } from './orders/routes.ts';

/** drizzle-kit's SQL migrations, applied at start in the service's own schema. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires order-service: REST API writing orders + outbox, the relay publishing order-events, and the
 * consumer of inventory-events that finalizes order status. Everything comes from `config`.
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
  const relay = runtime.addRelay('order_outbox');
  runtime.addInboxRetention('order_inbox');
  const consumed = runtime.pipeline.eventsConsumed;
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [config.topics.inventoryEvents],
    handler: inventoryDecisionsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
      tracer: runtime.eventTracer(config.groupId),
      onFinalized: (orders) => {
        const now = Date.now();
        for (const order of orders) finalLatency.observe((now - order.createdAt.getTime()) / 1000);
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
  const http = await runtime.createHttp();
  registerOrderRoutes(http, {
    db: runtime.db,
    intake,
    onOrderCreated: () => {
      ordersCreated.inc();
      relay.notify();
    },
  });
  return runtime;
}
