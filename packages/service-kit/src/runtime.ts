import type { CommonConfig, HttpSecurityConfig } from '@kafka-poc/config';
import {
  createDatabase,
  type Database,
  type MigrationOptions,
  type Pool,
  runMigrations,
} from '@kafka-poc/db';
import {
  type ClusterTimings,
  type ConsumerRunner,
  createAdmin,
  createProducer,
  type KafkaAdmin,
  type KafkaConnectionConfig,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import type { EventTracer, OutboxRelay } from '@kafka-poc/outbox';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { ADMIN_AUDIT_POLICY, AuditTrail, ensureAuditTopic } from './audit.ts';
import { createHttpServer, type HttpServer } from './http-server.ts';
import { checkInboxRetention } from './inbox-retention-check.ts';
import { stopInOrder } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
import { onDemandSample } from './on-demand-sample.ts';
import { Readiness } from './readiness.ts';
import { createRelayMetrics, type RelayMetrics } from './relay-metrics.ts';
import { type ConsumerSpec, createConsumer, formatAssignments, sampleLag } from './runtime-consumers.ts';
import { createServicePool, registerPoolMetrics, waitForServiceDatabase } from './runtime-database.ts';
import { ensureTopics, kafkaConnection, retryStart, waitForKafka } from './runtime-kafka.ts';
import { createPipelineMetrics, type PipelineMetrics } from './runtime-metrics.ts';
import {
  createInboxRetention,
  createRelay,
  type OutboxDeps,
  registerOutboxMetrics,
} from './runtime-outbox.ts';
import { checkClusterTimings } from './runtime-timings.ts';
import { createEventTracer, Tracing } from './tracing.ts';

export type { ConsumerSpec } from './runtime-consumers.ts';

export interface RuntimeOptions {
  config: CommonConfig & { security?: HttpSecurityConfig };
  title: string;
  description: string;
  version: string;
  /** The service's own schema (search_path of every connection; see SERVICE_DATA) and its migrations. */
  database: MigrationOptions;
  /** Topics this service makes sure exist (with their dead-letter topics) before it starts. */
  topics: string[];
  /** Runs once the database is reachable and migrated, before Kafka (e.g. seed data). */
  onDatabaseReady?: (runtime: ServiceRuntime) => Promise<void>;
  /**
   * The timing check at start (runtime-timings.ts): groups whose failover bounds this service's own
   * timeouts besides its consumers' groups, and a rule of its own on top of the common ones.
   */
  timings?: { groups?: string[]; check?: (timings: ClusterTimings) => string[] };
  /** Optional logger (tests pass a silent one). */
  logger?: Logger;
  /** Tests pass an in-memory span exporter; otherwise OTLP when configured, else tracing is off. */
  spanExporter?: SpanExporter;
}

/** A background loop of the service (e.g. a delivery dispatcher), started with the relays. */
export interface Worker {
  name: string;
  start: () => void;
  stop: () => Promise<void>;
}

/**
 * The parts every service is made of, wired once: logger, metrics, readiness, DB pool + Drizzle,
 * Kafka producer and admin, outbox relays, consumers and the HTTP server. Start order: HTTP (so
 * health answers at once), DB (wait + migrate), Kafka (wait + topics), producer, relays, consumers.
 * Stop order: HTTP, consumers, workers, relays, producer, admin, DB pool, tracing. Each part is
 * built in its own module (runtime-database, runtime-kafka, runtime-outbox, runtime-consumers);
 * this class holds them together and runs the lifecycle.
 */
export class ServiceRuntime {
  readonly config: CommonConfig & { security?: HttpSecurityConfig };
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly pipeline: PipelineMetrics;
  readonly relayMetrics: RelayMetrics;
  readonly readiness = new Readiness();
  readonly tracing: Tracing;
  readonly pool: Pool;
  readonly db: Database;
  readonly producer: KafkaProducer;
  readonly admin: KafkaAdmin;
  readonly connection: KafkaConnectionConfig;
  /** Writes through the admin API (ADMIN_AUDIT_POLICY), logged and produced to the audit topic. */
  readonly audit: AuditTrail;
  #options: RuntimeOptions;
  #http: HttpServer | undefined;
  #relays: { table: string; relay: OutboxRelay }[] = [];
  #consumers: { spec: ConsumerSpec; runner: ConsumerRunner }[] = [];
  #workers: Worker[] = [];
  #inboxTables: string[] = [];
  #stopping = new AbortController();
  #dependenciesReady = false;

  constructor(options: RuntimeOptions) {
    const { config } = options;
    this.#options = options;
    this.config = config;
    this.logger =
      options.logger ??
      createLogger({
        service: config.service,
        instance: config.instanceId,
        level: config.log.level,
        pretty: config.log.pretty,
      });
    this.metrics = createServiceMetrics({ service: config.service, instance: config.instanceId });
    this.tracing = new Tracing({
      service: config.service,
      instance: config.instanceId,
      otlpEndpoint: config.tracing.otlpEndpoint,
      exporter: options.spanExporter,
    });
    // Lag is read from the broker when /metrics is scraped, not on a timer: an idle service nobody
    // scrapes sends the broker nothing for it (docs/performance.md, "Cost per order"). A sample up
    // to 5 s old is served again (as fresh as the timer's were), so frequent scrapers (the bench
    // every 2 s) cost no more than the timer did.
    const refreshLag = onDemandSample(() => this.#sampleLag(), { maxAgeMs: 5000, waitMs: 3000 });
    this.pipeline = createPipelineMetrics(this.metrics.registry, { refreshLag });
    this.relayMetrics = createRelayMetrics(this.metrics.registry);
    this.pool = createServicePool(config, options.database.schema, this.logger);
    this.db = createDatabase(this.pool);
    this.connection = kafkaConnection(config);
    this.producer = createProducer(this.connection, { lingerMs: config.kafka.lingerMs });
    this.admin = createAdmin(this.connection);
    this.audit = new AuditTrail({
      source: config.service,
      instance: config.instanceId,
      topic: config.topics.auditEvents,
      producer: this.producer,
      logger: this.logger,
      registry: this.metrics.registry,
    });
    this.#addBaseChecks();
    registerPoolMetrics(this.metrics.registry, this.pool);
    registerOutboxMetrics(this.metrics.registry, () => this.#relays);
  }

  get http(): HttpServer {
    if (!this.#http) throw new Error('createHttp() first');
    return this.#http;
  }

  /** Creates the HTTP server; the caller adds its routes, then calls start(). */
  async createHttp(): Promise<HttpServer> {
    this.#http = await createHttpServer({
      tracing: this.tracing,
      logger: this.logger,
      metrics: this.metrics,
      readiness: this.readiness,
      title: this.#options.title,
      description: this.#options.description,
      version: this.#options.version,
      ...(this.config.security ? { security: this.config.security } : {}),
      // NODE_ENV=test: a response the OpenAPI contract does not declare fails the test that caused it.
      enforceContract: this.config.env === 'test',
      audit: { trail: this.audit, policy: ADMIN_AUDIT_POLICY },
    });
    return this.#http;
  }

  /** An outbox relay for one of this service's outbox tables, started and stopped with the service. */
  addRelay(table: string): OutboxRelay {
    const relay = createRelay(table, this.#outboxDeps());
    this.#relays.push({ table, relay });
    this.readiness.add(`relay:${table}`, () => ({
      ok: relay.state !== 'stopped',
      detail: relay.state,
    }));
    return relay;
  }

  /**
   * Purges an inbox table's rows older than the inbox retention (config.retention.inboxMs; 0 keeps
   * them), in bounded batches, as a worker of this service.
   */
  addInboxRetention(table: string): void {
    const purger = createInboxRetention(table, this.#outboxDeps());
    if (!purger) return;
    this.#inboxTables.push(table);
    this.addWorker({
      name: `inbox retention ${table}`,
      start: () => purger.start(),
      stop: () => purger.stop(),
    });
  }

  addWorker(worker: Worker): void {
    this.#workers.push(worker);
  }

  /** Tracing hook for a group's inbox handler (a span per applied event). */
  eventTracer(groupId: string): EventTracer | undefined {
    return this.tracing.enabled ? createEventTracer(this.tracing, groupId) : undefined;
  }

  /** A consumer-group member, started after the relays and stopped first. */
  addConsumer(spec: ConsumerSpec): ConsumerRunner {
    const runner = createConsumer(spec, {
      connection: this.connection,
      kafka: this.config.kafka,
      pipeline: this.pipeline,
      logger: this.logger,
    });
    this.#consumers.push({ spec, runner });
    this.readiness.add(`consumer:${spec.groupId}`, () => ({
      ok: runner.isJoined(),
      detail: runner.isJoined() ? `assigned ${formatAssignments(runner)}` : 'not joined to the group',
    }));
    return runner;
  }

  /** Runs `listen` first so health answers, then waits for every dependency. */
  async start(): Promise<void> {
    const { logger } = this;
    const signal = this.#stopping.signal;
    await this.http.listen({ host: this.config.http.host, port: this.config.http.port });
    logger.info({ url: `http://${this.config.http.host}:${this.port()}` }, 'HTTP listening');
    await waitForServiceDatabase(this.pool, signal, logger);
    await runMigrations(this.pool, this.#options.database);
    await this.#options.onDatabaseReady?.(this);
    await waitForKafka(this.admin, this.config.kafka.brokers, signal, logger);
    await retryStart('timing check', () => this.#checkTimings(), signal, logger);
    // A broker of several may be down at start: its partitions move, and creating topics works again.
    await retryStart(
      'topics',
      async () => {
        await ensureTopics(this.admin, this.#options.topics, this.config.kafka, logger);
        if (await ensureAuditTopic(this.admin, this.audit.topic, this.config.kafka))
          logger.info({ topic: this.audit.topic }, 'audit topic created');
      },
      signal,
      logger,
    );
    if (this.#inboxTables.length > 0) {
      const consumed = [...new Set(this.#consumers.flatMap(({ spec }) => spec.topics))];
      void checkInboxRetention(this.admin, consumed, this.config.retention.inboxMs, logger);
    }
    await retryStart('Kafka producer', () => this.producer.start(), signal, logger);
    for (const { relay } of this.#relays) relay.start();
    for (const worker of this.#workers) worker.start();
    for (const { runner, spec } of this.#consumers) {
      await retryStart(`consumer ${spec.groupId}`, () => runner.start(), signal, logger);
      logger.info({ group: spec.groupId, topics: spec.topics }, 'consumer joined');
    }
    this.#dependenciesReady = true;
    logger.info('service ready');
  }

  async #checkTimings(): Promise<void> {
    const own = this.#consumers.map(({ spec }) => spec.groupId);
    const groups = [...new Set([...own, ...(this.#options.timings?.groups ?? [])])];
    const check = this.#options.timings?.check;
    await checkClusterTimings(
      this.admin,
      {
        groupProtocol: this.config.kafka.groupProtocol,
        onProblem: this.config.timingCheck,
        groups,
        ...(check ? { check } : {}),
      },
      this.logger,
    );
  }

  /** Sets the lag gauges of this instance's consumer groups (once started, until stopping). */
  async #sampleLag(): Promise<void> {
    if (!this.#dependenciesReady || this.#stopping.signal.aborted) return;
    const specs = this.#consumers.map(({ spec }) => spec);
    await sampleLag(this.admin, specs, this.pipeline, this.logger);
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await stopInOrder(
      [
        // No new requests first, so nothing is written to the outbox after the relay's last drain.
        { name: 'http', stop: () => this.#http?.close() ?? Promise.resolve() },
        ...this.#consumers.map(({ spec, runner }) => ({
          name: `consumer ${spec.groupId}`,
          stop: () => runner.stop(),
        })),
        ...this.#workers,
        ...this.#relays.map(({ table, relay }) => ({ name: `relay ${table}`, stop: () => relay.stop() })),
        { name: 'producer', stop: () => this.producer.stop() },
        { name: 'admin', stop: () => this.admin.stop() },
        { name: 'db pool', stop: () => this.pool.end() },
        { name: 'tracing', stop: () => this.tracing.shutdown() },
      ],
      this.logger,
      this.config.shutdownTimeoutMs,
    );
  }

  /** The bound port (useful when PORT=0). */
  port(): number {
    const address = this.#http?.server.address();
    return typeof address === 'object' && address ? address.port : this.config.http.port;
  }

  #outboxDeps(): OutboxDeps {
    return {
      config: this.config,
      pool: this.pool,
      producer: this.producer,
      pipeline: this.pipeline,
      relayMetrics: this.relayMetrics,
      logger: this.logger,
    };
  }

  #addBaseChecks(): void {
    this.readiness.add('startup', () => ({
      ok: this.#dependenciesReady,
      detail: this.#dependenciesReady ? 'started' : 'waiting for dependencies',
    }));
    this.readiness.add('database', async () => {
      await this.pool.query('SELECT 1');
      return { ok: true };
    });
    this.readiness.add('kafka', async () => {
      const cluster = await this.admin.describeCluster();
      return { ok: cluster.brokers.length > 0, detail: `${cluster.brokers.length} broker(s)` };
    });
  }
}
