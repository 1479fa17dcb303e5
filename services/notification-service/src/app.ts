import { fileURLToPath } from 'node:url';
import { CONSUMED_TOPIC, HEADERS, SERVICE_DATA } from '@kafka-poc/contracts';
import { type Logger, ServiceRuntime } from '@kafka-poc/service-kit';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Counter, Histogram } from 'prom-client';
import type { NotificationServiceConfig } from './config.ts';
import { NotificationDispatcher } from './notifications/dispatcher.ts';
import { orderEventsHandler } from './notifications/order-events-handler.ts';
import { registerNotificationRoutes } from './notifications/routes.ts';
import { createLogSender, type NotificationSender } from './notifications/sender.ts';
import { createWebhookSender } from './notifications/webhook-sender.ts';

/** drizzle-kit's SQL migrations, applied at start in the service's own schema. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Wires notification-service: consumes order-events (the status changes order-service announces),
 * stores one notification per status an order reaches, delivers them.
 */
export async function createNotificationService(
  config: NotificationServiceConfig,
  options: { logger?: Logger; spanExporter?: SpanExporter } = {},
) {
  const runtime = new ServiceRuntime({
    config,
    title: 'notification-service',
    description: 'Stores and delivers one notification per status an order reaches.',
    version: '1.0.0',
    database: { schema: SERVICE_DATA.notification.schema, migrationsFolder },
    topics: [config.topics.orderEvents],
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
  });
  const notifiedLatency = new Histogram({
    name: 'order_notified_latency_seconds',
    help: 'End-to-end latency from order accepted to its notification stored (committed)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [runtime.metrics.registry],
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
    onResult: (outcome, count) => deliveries.labels(outcome).inc(count),
  });
  runtime.addWorker({ name: 'dispatcher', start: () => dispatcher.start(), stop: () => dispatcher.stop() });
  runtime.addInboxRetention('notification_inbox');
  const consumed = runtime.pipeline.eventsConsumed;
  const stored = new Counter({
    name: 'notifications_stored_total',
    help: 'Notifications stored (one per status an order reaches; replays store none)',
    registers: [runtime.metrics.registry],
  });
  const topic = config.topics[CONSUMED_TOPIC.notification];
  runtime.addConsumer({
    groupId: config.groupId,
    topics: [topic],
    handler: orderEventsHandler({
      db: runtime.db,
      producer: runtime.producer,
      groupId: config.groupId,
      tracer: runtime.eventTracer(config.groupId),
      hooks: {
        onCommitted: (applied, duplicates) => {
          consumed.labels(topic, 'ok').inc(applied.length);
          const now = Date.now();
          for (const { message, event } of applied) {
            // The decision's latency (as before); cancels and expiries happen when they happen.
            if (event.type !== 'order.confirmed' && event.type !== 'order.rejected') continue;
            const acceptedAt = Date.parse(message.headers[HEADERS.orderAcceptedAt] ?? '');
            if (!Number.isNaN(acceptedAt)) notifiedLatency.observe((now - acceptedAt) / 1000);
          }
          consumed.labels(topic, 'duplicate').inc(duplicates);
          if (applied.length > 0) dispatcher.notify();
        },
        onDeadLettered: (letters) => {
          consumed.labels(topic, 'dead_lettered').inc(letters.length);
          runtime.logger.warn(
            { count: letters.length, error: letters[0]?.error },
            'dead-lettered order events',
          );
        },
      },
      onStored: (count) => stored.inc(count),
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
