import { CONSOLE_DB_ROLE } from '@kafka-poc/contracts';
import { roleDatabaseUrl } from '@kafka-poc/local-stack';
import type { Logger } from '@kafka-poc/service-kit';
import { testKafkaBrokers } from '@kafka-poc/testing';
import { TestPipeline } from '../../../../test/support/pipeline.ts';
import { type ConsoleApp, createConsole } from '../../src/app.ts';
import { loadConsoleConfig } from '../../src/config.ts';

export { TestPipeline };

export interface RunningConsole {
  app: ConsoleApp;
  url: string;
  stop(): Promise<void>;
}

/**
 * A console in this process, on a random port, pointed at a pipeline's namespaced topics, groups,
 * database and service URLs (or at closed ports when there is no pipeline).
 */
export async function startConsole(
  options: {
    pipeline?: TestPipeline;
    databaseUrl?: string;
    env?: Record<string, string>;
    /** A logger of the test's own (e.g. to read the console's log lines). */
    logger?: Logger;
  } = {},
): Promise<RunningConsole> {
  const { pipeline } = options;
  const unreachable = 'http://127.0.0.1:9';
  const env: Record<string, string> = {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    // The console's own role: it can read the services' published views and nothing else.
    DATABASE_URL: roleDatabaseUrl(
      pipeline?.databaseUrl ?? options.databaseUrl ?? 'postgres://nobody:x@127.0.0.1:9/none',
      CONSOLE_DB_ROLE,
    ),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ORDER_SERVICE_URL: pipeline ? pipeline.url('order') : unreachable,
    INVENTORY_SERVICE_URL: pipeline ? pipeline.url('inventory') : unreachable,
    NOTIFICATION_SERVICE_URL: pipeline ? pipeline.url('notification') : unreachable,
    ...(pipeline
      ? {
          TOPIC_ORDER_EVENTS: pipeline.topics.orderEvents,
          TOPIC_INVENTORY_EVENTS: pipeline.topics.inventoryEvents,
          ...(pipeline.env.TOPIC_AUDIT_EVENTS ? { TOPIC_AUDIT_EVENTS: pipeline.env.TOPIC_AUDIT_EVENTS } : {}),
          ORDER_SERVICE_GROUP: pipeline.groups.order,
          INVENTORY_SERVICE_GROUP: pipeline.groups.inventory,
          NOTIFICATION_SERVICE_GROUP: pipeline.groups.notification,
        }
      : {}),
    CONSOLE_LAG_SAMPLE_MS: '1000',
    CONSOLE_TAIL_POLL_MS: '250',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...options.env,
  };
  const app = await createConsole(loadConsoleConfig(env), options.logger ? { logger: options.logger } : {});
  await app.start();
  return { app, url: `http://127.0.0.1:${app.port()}`, stop: () => app.stop() };
}
