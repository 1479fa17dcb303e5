import { fileURLToPath } from 'node:url';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import { Counter } from 'prom-client';
import type { NotificationServiceConfig } from './config.ts';
import { NotificationDispatcher } from './notifications/dispatcher.ts';
import { inventoryEventsHandler } from './notifications/inventory-events-handler.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { createLogSender, type NotificationSender } from './notifications/sender.ts';
import { createWebhookSender } from './notifications/webhook-sender.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/** Wires notification-service: consumes inventory-events, stores notifications, delivers them. */
export async function createNotificationService(
  config: NotificationServiceConfig,
  options: { logger?: Logger } = {},
) {
  const runtime = new ServiceRuntime({
    config,
    title: 'notification-service',
    description: 'Stores and delivers one notification per order outcome.',
    version: '1.0.0',
    migrations: { migrationsFolder, migrationsTable: '__migrations_notification_service' },
    topics: [config.topics.inventoryEvents],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const deliveries = new Counter({
    name: 'notification_deliveries_total',
    help: 'Notification delivery attempts by outcome (sent, retry, failed)',
    labelNames: ['outcome'] as const,
    registers: [runtime.metrics.registry],
  });
  const dispatcher = new NotificationDispatcher({
    db: runtime.db,
    sender: createSender(config, runtime.logger),
    logger: runtime.logger,
    maxAttempts: config.maxDeliveryAttempts,
    onResult: (outcome) => deliveries.labels(outcome).inc(),
  });
  runtime.addWorker({ name: 'dispatcher', start: () => dispatcher.start(), stop: () => dispatcher.stop() });
  const consumed = runtime.pipeline.eventsConsumed;
  const topic = config.topics.inventoryEvents;
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [topic],
    handler: inventoryEventsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
      hooks: {
        onCommitted: (applied, duplicates) => {
          consumed.labels(topic, 'ok').inc(applied.length);
          consumed.labels(topic, 'duplicate').inc(duplicates);
          if (applied.length > 0) dispatcher.notify();
        },
        onDeadLettered: (letters) => {
          consumed.labels(topic, 'dead_lettered').inc(letters.length);
          runtime.logger.warn(
            { count: letters.length, error: letters[0]?.error },
            'dead-lettered inventory events',
          );
        },
      },
    }),
  });
  registerNotificationRoutes(await runtime.createHttp(), { db: runtime.db });
  return runtime;
}

function createSender(config: NotificationServiceConfig, logger: Logger): NotificationSender {
  return config.sender.kind === 'webhook'
    ? createWebhookSender({
        url: config.sender.url,
        token: config.sender.token,
        timeoutMs: config.sender.timeoutMs,
      })
    : createLogSender(logger);
}
