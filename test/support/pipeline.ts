import { SERVICE_DATA } from '@kafka-poc/contracts';
import { createInventoryService, loadInventoryServiceConfig } from '@kafka-poc/inventory-service';
import { roleDatabaseUrl } from '@kafka-poc/local-stack';
import { createNotificationService, loadNotificationServiceConfig } from '@kafka-poc/notification-service';
import { createOrderService, loadOrderServiceConfig } from '@kafka-poc/order-service';
import type { ServiceRuntime } from '@kafka-poc/service-kit';
import { createTestDatabase, testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export type ServiceKind = 'order' | 'inventory' | 'notification';

/**
 * The three services in this process against the harness's real broker and Postgres, isolated by a
 * fresh database and namespaced topics and groups, on random ports. `env.DATABASE_URL` is the
 * database's administrator URL; each service connects with its own role (envOf).
 */
export class TestPipeline {
  readonly env: Record<string, string>;
  readonly topics: { orderEvents: string; inventoryEvents: string };
  readonly groups: Record<ServiceKind, string>;
  readonly instances: { kind: ServiceKind; runtime: ServiceRuntime }[] = [];
  readonly spanExporter: SpanExporter | undefined;

  constructor(env: Record<string, string>, spanExporter?: SpanExporter) {
    this.env = env;
    this.spanExporter = spanExporter;
    this.topics = {
      orderEvents: env.TOPIC_ORDER_EVENTS ?? '',
      inventoryEvents: env.TOPIC_INVENTORY_EVENTS ?? '',
    };
    this.groups = {
      order: env.ORDER_SERVICE_GROUP ?? '',
      inventory: env.INVENTORY_SERVICE_GROUP ?? '',
      notification: env.NOTIFICATION_SERVICE_GROUP ?? '',
    };
  }

  /** The environment of one kind of service: the shared one, with its own database role. */
  envOf(kind: ServiceKind): Record<string, string> {
    return { ...this.env, DATABASE_URL: roleDatabaseUrl(this.databaseUrl, SERVICE_DATA[kind].role) };
  }

  /** The test database, with the administrator's credentials (read the services' published views). */
  get databaseUrl(): string {
    return this.env.DATABASE_URL ?? '';
  }

  static async create(
    options: { seed?: string; env?: Record<string, string>; spanExporter?: SpanExporter } = {},
  ): Promise<TestPipeline> {
    const ns = uniqueName('p');
    const databaseUrl = await createTestDatabase(ns);
    return new TestPipeline(
      {
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        TOPIC_ORDER_EVENTS: `${ns}.order-events`,
        TOPIC_INVENTORY_EVENTS: `${ns}.inventory-events`,
        ORDER_SERVICE_GROUP: `${ns}.order-service`,
        INVENTORY_SERVICE_GROUP: `${ns}.inventory-service`,
        NOTIFICATION_SERVICE_GROUP: `${ns}.notification-service`,
        INVENTORY_SEED: options.seed ?? 'Laptop=50,Phone=100,Monitor=30',
        PORT: '0',
        // Test mode: a response the service's OpenAPI contract does not declare becomes a 500.
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '10000',
        ...options.env,
      },
      options.spanExporter,
    );
  }

  /** Starts one more instance of a service and waits until it is ready. */
  async start(kind: ServiceKind): Promise<ServiceRuntime> {
    const runtime = await createService(kind, this.envOf(kind), this.spanExporter);
    this.instances.push({ kind, runtime });
    await runtime.start();
    return runtime;
  }

  async startAll(): Promise<void> {
    // Inventory first so its seed exists before orders arrive; the others in parallel.
    await this.start('inventory');
    await Promise.all([this.start('order'), this.start('notification')]);
  }

  url(kind: ServiceKind, index = 0): string {
    const runtime = this.instances.filter((i) => i.kind === kind)[index]?.runtime;
    if (!runtime) throw new Error(`no ${kind} instance #${index}`);
    return `http://127.0.0.1:${runtime.port()}`;
  }

  async stop(runtime?: ServiceRuntime): Promise<void> {
    const targets = runtime ? this.instances.filter((i) => i.runtime === runtime) : [...this.instances];
    await Promise.all(targets.map((i) => i.runtime.stop()));
    for (const t of targets) this.instances.splice(this.instances.indexOf(t), 1);
  }
}

async function createService(
  kind: ServiceKind,
  env: Record<string, string>,
  spanExporter: SpanExporter | undefined,
): Promise<ServiceRuntime> {
  const options = spanExporter ? { spanExporter } : {};
  switch (kind) {
    case 'order':
      return createOrderService(loadOrderServiceConfig(env), options);
    case 'inventory':
      return createInventoryService(loadInventoryServiceConfig(env), options);
    case 'notification':
      return createNotificationService(loadNotificationServiceConfig(env), options);
  }
}
