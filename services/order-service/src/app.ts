import { fileURLToPath } from 'node:url';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import type { OrderServiceConfig } from './config.ts';
import { inventoryDecisionsHandler } from './orders/inventory-decisions.ts';
import { registerOrderRoutes } from './orders/routes.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires order-service: REST API writing orders + outbox, the relay publishing order-events, and the
 * consumer of inventory-events that finalizes order status. Everything comes from `config`.
 */
export async function createOrderService(config: OrderServiceConfig, options: { logger?: Logger } = {}) {
  const runtime = new ServiceRuntime({
    config,
    title: 'order-service',
    description: 'Accepts orders and tracks their status through the inventory decision.',
    version: '1.0.0',
    migrations: { migrationsFolder, migrationsTable: '__migrations_order_service' },
    topics: [config.topics.orderEvents, config.topics.inventoryEvents],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const relay = runtime.addRelay('order_outbox');
  const consumed = runtime.pipeline.eventsConsumed;
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [config.topics.inventoryEvents],
    handler: inventoryDecisionsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
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
  const http = await runtime.createHttp();
  registerOrderRoutes(http, {
    db: runtime.db,
    orderEventsTopic: config.topics.orderEvents,
    onOrderCreated: () => relay.notify(),
  });
  return runtime;
}
