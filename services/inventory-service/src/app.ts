import { fileURLToPath } from 'node:url';
import { CONSUMED_TOPIC, SERVICE_DATA } from '@kafka-poc/contracts';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Counter } from 'prom-client';
import type { InventoryServiceConfig } from './config.ts';
import { seedInventory } from './inventory/inventory-repository.ts';
import { orderEventsHandler } from './inventory/order-events-handler.ts';
import { registerInventoryRoutes } from './inventory/routes.ts';

/** drizzle-kit's SQL migrations, applied at start in the service's own schema. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/** Wires inventory-service: consumes order-events, reserves stock, emits inventory-events via its outbox. */
export async function createInventoryService(
  config: InventoryServiceConfig,
  options: { logger?: Logger; spanExporter?: SpanExporter } = {},
) {
  const runtime = new ServiceRuntime({
    config,
    title: 'inventory-service',
    description: 'Reserves stock for orders and publishes the decision.',
    version: '1.0.0',
    database: { schema: SERVICE_DATA.inventory.schema, migrationsFolder },
    topics: [config.topics.orderEvents, config.topics.inventoryEvents],
    onDatabaseReady: async (rt) => {
      const created = await seedInventory(rt.db, config.seed);
      if (created > 0) rt.logger.info({ items: created }, 'inventory seeded');
    },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
  });
  const relay = runtime.addRelay('inventory_outbox');
  runtime.addInboxRetention('inventory_inbox');
  const decisions = new Counter({
    name: 'inventory_decisions_total',
    help: 'Reservation decisions by status (RESERVED, REJECTED)',
    labelNames: ['status'] as const,
    registers: [runtime.metrics.registry],
  });
  const releases = new Counter({
    name: 'inventory_releases_total',
    help: 'Reservations given back (RELEASED) or orders closed before a decision (CLOSED), by the order status that caused it',
    labelNames: ['outcome', 'cause'] as const,
    registers: [runtime.metrics.registry],
  });
  const adjustments = new Counter({
    name: 'inventory_adjustments_total',
    help: 'Changes of stock on hand through the API, by kind (adjustment, set, opening)',
    labelNames: ['kind'] as const,
    registers: [runtime.metrics.registry],
  });
  const consumed = runtime.pipeline.eventsConsumed;
  const topic = config.topics[CONSUMED_TOPIC.inventory];
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [topic],
    handler: orderEventsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
      inventoryEventsTopic: config.topics.inventoryEvents,
      tracer: runtime.eventTracer(config.groupId),
      hooks: {
        onCommitted: (applied, duplicates) => {
          consumed.labels(topic, 'ok').inc(applied.length);
          consumed.labels(topic, 'duplicate').inc(duplicates);
          if (applied.length > 0) relay.notify();
        },
        onDeadLettered: (letters) => {
          consumed.labels(topic, 'dead_lettered').inc(letters.length);
          runtime.logger.warn(
            { count: letters.length, error: letters[0]?.error },
            'dead-lettered order events',
          );
        },
      },
      // Counted in the transaction: a retried batch may count twice (rare; the tables are exact).
      onApplied: (effects) => {
        for (const e of effects) {
          if (e.kind === 'decided') decisions.labels(e.decision.status).inc();
          else if (e.kind === 'released') releases.labels('RELEASED', e.cause).inc();
          else if (e.kind === 'closed') releases.labels('CLOSED', e.cause).inc();
        }
      },
    }),
  });
  registerInventoryRoutes(await runtime.createHttp(), {
    db: runtime.db,
    onStockChanged: (kind) => adjustments.labels(kind).inc(),
  });
  return runtime;
}
