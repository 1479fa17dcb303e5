import type { CommonConfig, HttpSecurityConfig } from '@kafka-poc/config';
import { deadLetterTopic } from '@kafka-poc/contracts';
import {
  createDatabase,
  createPool,
  type Database,
  type MigrationOptions,
  type Pool,
  poolStats,
  runMigrations,
  waitForDatabase,
} from '@kafka-poc/db';
import {
  type BatchHandler,
  type ConsumerRunner,
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaAdmin,
  type KafkaConnectionConfig,
  type KafkaProducer,
  type PartitionLag,
  type TopicSpec,
} from '@kafka-poc/kafka';
import {
  type EventTracer,
  inboxRetentionPurger,
  OutboxRelay,
  type OutboxRelayHooks,
  type RetentionPurgeHooks,
} from '@kafka-poc/outbox';
import { backoffDelay, declaredRetryable, sleep } from '@kafka-poc/resilience';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Gauge } from 'prom-client';
import { ConsumerRetries } from './consumer-retries.ts';
import { createHttpServer, type HttpServer } from './http-server.ts';
import { checkInboxRetention } from './inbox-retention-check.ts';
import { stopInOrder } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
import { Readiness } from './readiness.ts';
import { createRelayMetrics, type RelayMetrics } from './relay-metrics.ts';
import { createPipelineMetrics, type PipelineMetrics } from './runtime-metrics.ts';
import { createEventTracer, Tracing } from './tracing.ts';

export interface RuntimeOptions {
  config: CommonConfig & { security?: HttpSecurityConfig };
  title: string;
  description: string;
  version: string;
  migrations: MigrationOptions;
  /** Topics this service makes sure exist (with their dead-letter topics) before it starts. */
  topics: string[];
  /** Runs once the database is reachable and migrated, before Kafka (e.g. seed data). */
  onDatabaseReady?: (runtime: ServiceRuntime) => Promise<void>;
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

export interface ConsumerSpec {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
}

/**
 * The parts every service is made of, wired once: logger, metrics, readiness, DB pool + Drizzle,
 * Kafka producer and admin, outbox relays, consumers and the HTTP server. Start order: HTTP (so
 * health answers at once), DB (wait + migrate), Kafka (wait + topics), producer, relays, consumers.
 * Stop order: HTTP, consumers, workers, relays, producer, admin, DB pool, tracing.
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
  #options: RuntimeOptions;
  #http: HttpServer | undefined;
  #relays: { table: string; relay: OutboxRelay }[] = [];
  #consumers: { spec: ConsumerSpec; runner: ConsumerRunner }[] = [];
  #workers: Worker[] = [];
  #inboxTables: string[] = [];
  #stopping = new AbortController();
  #dependenciesReady = false;
  #lagTimer: NodeJS.Timeout | undefined;

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
    this.pipeline = createPipelineMetrics(this.metrics.registry);
    this.relayMetrics = createRelayMetrics(this.metrics.registry);
    this.pool = createPool(
      {
        url: config.database.url,
        max: config.database.poolMax,
        connectionTimeoutMs: config.database.connectTimeoutMs,
        statementTimeoutMs: config.database.statementTimeoutMs,
        applicationName: config.instanceId,
        ...(config.database.ssl ? { ssl: config.database.ssl } : {}),
      },
      (error) => this.logger.warn({ err: error }, 'idle database connection lost'),
    );
    this.db = createDatabase(this.pool);
    this.connection = {
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
      ...(config.kafka.tls ? { tls: config.kafka.tls } : {}),
    };
    this.producer = createProducer(this.connection, { lingerMs: config.kafka.lingerMs });
    this.admin = createAdmin(this.connection);
    this.#addBaseChecks();
    this.#addPoolMetrics();
    this.#addOutboxMetrics();
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
    });
    return this.#http;
  }

  /** An outbox relay for one of this service's outbox tables, started and stopped with the service. */
  addRelay(table: string): OutboxRelay {
    const { relayMetrics: m, logger } = this;
    const relay = new OutboxRelay({
      pool: this.pool,
      databaseUrl: this.config.database.url,
      ...(this.config.database.ssl ? { databaseSsl: this.config.database.ssl } : {}),
      producer: this.producer,
      table,
      lingerMs: this.config.kafka.relayLingerMs,
      takeoverMs: this.config.kafka.relayTakeoverMs,
      retentionMs: this.config.retention.outboxSentMs,
      purge: { batchSize: this.config.retention.purgeBatchSize },
      applicationName: `outbox-relay ${this.config.instanceId}`.slice(0, 63),
      hooks: {
        onPublished: (count, oldest) => {
          this.pipeline.eventsPublished.labels(table).inc(count);
          this.pipeline.relayDelay.labels(table).observe((Date.now() - oldest.getTime()) / 1000);
        },
        onError: (error, attempt) =>
          logger.warn({ err: error, attempt, outbox: table }, 'outbox relay retrying'),
        onStateChange: (state) => {
          m.relayActive.labels(table).set(state === 'active' ? 1 : 0);
          logger.info({ outbox: table, state }, 'outbox relay state');
        },
        onLockAcquired: ({ takeover, backendPid }) => {
          m.lockAcquired.labels(table, String(takeover)).inc();
          logger.info({ outbox: table, takeover, backendPid }, 'outbox relay lock acquired');
        },
        onLockLost: (reason, cause) => {
          m.lockLost.labels(table, reason).inc();
          logger.warn(
            { outbox: table, reason, err: cause },
            'outbox relay lost its lock; stopped publishing',
          );
        },
        ...this.#purgeHooks(table),
      },
    });
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
    const { inboxMs, purgeBatchSize } = this.config.retention;
    if (inboxMs <= 0) return;
    this.#inboxTables.push(table);
    const { onPurged, onPurgeError } = this.#purgeHooks(table);
    const hooks: RetentionPurgeHooks = { onPurged, onError: onPurgeError };
    const purger = inboxRetentionPurger({
      pool: this.pool,
      table,
      retentionMs: inboxMs,
      batchSize: purgeBatchSize,
      hooks,
    });
    this.addWorker({
      name: `inbox retention ${table}`,
      start: () => purger.start(),
      stop: () => purger.stop(),
    });
  }

  /** Metrics and logs of a table's retention purge (outbox or inbox). */
  #purgeHooks(table: string): Required<Pick<OutboxRelayHooks, 'onPurged' | 'onPurgeError'>> {
    const { relayMetrics: m, logger } = this;
    return {
      onPurged: (result) => {
        m.purgedRows.labels(table).inc(result.rows);
        logger.info({ table, ...result, durationMs: Math.round(result.durationMs) }, 'retention purge');
      },
      onPurgeError: (error) => {
        m.purgeFailures.labels(table).inc();
        logger.warn({ err: error, table }, 'retention purge failed; retrying next run');
      },
    };
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
    const group = spec.groupId;
    const retries = new ConsumerRetries({ group, metrics: this.pipeline, logger: this.logger });
    const handler: BatchHandler = async (batch, context) => {
      const end = this.pipeline.handlerDuration.labels(group).startTimer();
      try {
        await spec.handler(batch, context);
        retries.succeeded();
      } finally {
        end();
      }
    };
    const runner = createConsumerRunner({
      connection: this.connection,
      groupId: group,
      topics: spec.topics,
      handler,
      maxBatchSize: this.config.kafka.maxBatchSize,
      maxBatchWaitMs: this.config.kafka.batchWaitMs,
      fetchMinBytes: this.config.kafka.fetchMinBytes,
      fetchMaxWaitMs: this.config.kafka.fetchMaxWaitMs,
      groupProtocol: this.config.kafka.groupProtocol,
      onError: (error, info) => {
        // attempt 0 is a client event (heartbeat, fetch, skipped commit), not a failed batch.
        if (info.attempt === 0) {
          this.logger.info({ err: error, group }, 'consumer client event');
        } else if (info.batchSize === 0) {
          this.logger.warn({ err: error, group, ...info }, 'consumer session failed; reconnecting');
        } else {
          retries.failed(error, info);
        }
      },
    });
    this.#consumers.push({ spec, runner });
    this.readiness.add(`consumer:${group}`, () => ({
      ok: runner.isJoined(),
      detail: runner.isJoined() ? `assigned ${formatAssignments(runner)}` : 'not joined to the group',
    }));
    return runner;
  }

  /** Runs `listen` first so health answers, then waits for every dependency. */
  async start(): Promise<void> {
    const http = this.http;
    await http.listen({ host: this.config.http.host, port: this.config.http.port });
    this.logger.info({ url: `http://${this.config.http.host}:${this.port()}` }, 'HTTP listening');
    await this.#waitForDatabase();
    await runMigrations(this.pool, this.#options.migrations);
    await this.#options.onDatabaseReady?.(this);
    await this.#waitForKafka();
    await this.#ensureTopics();
    if (this.#inboxTables.length > 0) {
      const consumed = [...new Set(this.#consumers.flatMap(({ spec }) => spec.topics))];
      void checkInboxRetention(this.admin, consumed, this.config.retention.inboxMs, this.logger);
    }
    await this.#retryStart('Kafka producer', () => this.producer.start());
    for (const { relay } of this.#relays) relay.start();
    for (const worker of this.#workers) worker.start();
    for (const { runner, spec } of this.#consumers) {
      await this.#retryStart(`consumer ${spec.groupId}`, () => runner.start());
      this.logger.info({ group: spec.groupId, topics: spec.topics }, 'consumer joined');
    }
    this.#dependenciesReady = true;
    this.#lagTimer = setInterval(() => void this.#sampleLag(), 5000);
    this.#lagTimer.unref();
    this.logger.info('service ready');
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearInterval(this.#lagTimer);
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

  #addPoolMetrics(): void {
    const gauge = new Gauge({
      name: 'db_pool_connections',
      help: 'DB pool connections by state (total, idle, waiting)',
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      collect: () => {
        const stats = poolStats(this.pool);
        gauge.labels('total').set(stats.total);
        gauge.labels('idle').set(stats.idle);
        gauge.labels('in_use').set(stats.total - stats.idle);
        gauge.labels('waiting').set(stats.waiting);
      },
    });
  }

  #addOutboxMetrics(): void {
    const registers = [this.metrics.registry];
    const oldest = new Gauge({
      name: 'outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unpublished outbox row',
      labelNames: ['outbox'] as const,
      registers,
    });
    // One query per scrape fills both gauges.
    const backlog = new Gauge({
      name: 'outbox_backlog_rows',
      help: 'Outbox rows not yet published',
      labelNames: ['outbox'] as const,
      registers,
      collect: async () => {
        for (const { table, relay } of this.#relays) {
          const b = await relay.backlog().catch(() => undefined);
          if (!b) continue;
          backlog.labels(table).set(b.rows);
          oldest.labels(table).set(b.oldestAgeMs / 1000);
        }
      },
    });
  }

  async #waitForDatabase(): Promise<void> {
    await waitForDatabase(this.pool, {
      signal: this.#stopping.signal,
      onRetry: (attempt, delayMs, error) =>
        this.logger.info(
          { attempt, delayMs, reason: error instanceof Error ? error.message : String(error) },
          'waiting for PostgreSQL',
        ),
    });
  }

  /** Kafka may go away between the readiness probe and a client's start: retry what is retryable. */
  async #retryStart(what: string, start: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await start();
        return;
      } catch (error) {
        const retryable = declaredRetryable(error) === true;
        if (!retryable || this.#stopping.signal.aborted) throw error;
        const delayMs = backoffDelay(attempt, { initialMs: 250, maxMs: 5000 });
        this.logger.info({ attempt, delayMs, reason: (error as Error).message }, `waiting to start ${what}`);
        await sleep(delayMs, this.#stopping.signal);
      }
    }
  }

  async #waitForKafka(): Promise<void> {
    await this.admin.start();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.describeCluster();
        return;
      } catch (error) {
        if (this.#stopping.signal.aborted) throw error;
        const delayMs = backoffDelay(attempt, { initialMs: 250, maxMs: 5000 });
        this.logger.info(
          { attempt, delayMs, brokers: this.config.kafka.brokers, reason: (error as Error).message },
          'waiting for Kafka',
        );
        await sleep(delayMs, this.#stopping.signal);
      }
    }
  }

  async #ensureTopics(): Promise<void> {
    const specs: TopicSpec[] = this.#options.topics.flatMap((name) => [
      this.#topicSpec(name),
      this.#topicSpec(deadLetterTopic(name)),
    ]);
    const created = await this.admin.ensureTopics(specs);
    if (created.length > 0) this.logger.info({ topics: created }, 'topics created');
  }

  #topicSpec(name: string): TopicSpec {
    const { partitions, replicationFactor } = this.config.kafka;
    return {
      name,
      partitions,
      replicationFactor,
      ...(replicationFactor >= 3 ? { configs: { 'min.insync.replicas': '2' } } : {}),
    };
  }

  async #sampleLag(): Promise<void> {
    for (const { spec } of this.#consumers) {
      try {
        const lag = await this.admin.groupLag(spec.groupId, spec.topics);
        for (const p of lag) {
          const labels = [spec.groupId, p.topic, String(p.partition)] as const;
          this.pipeline.consumerLag.labels(...labels).set(Number(p.lag));
          this.pipeline.consumerLagSeconds
            .labels(...labels)
            .set(await oldestAge(this.admin, p).catch(() => 0));
        }
      } catch (error) {
        this.logger.debug({ err: error, group: spec.groupId }, 'lag sample failed');
      }
    }
  }
}

/** Seconds since the first record after the committed offset was written (0 when caught up). */
async function oldestAge(admin: KafkaAdmin, p: PartitionLag): Promise<number> {
  if (p.lag <= 0n || p.committedOffset === undefined) return 0;
  const [record] = await admin.readMessages(p.topic, {
    partition: p.partition,
    fromOffset: p.committedOffset,
    limit: 1,
    timeoutMs: 2000,
  });
  return record ? Math.max(0, (Date.now() - record.timestamp) / 1000) : 0;
}

function formatAssignments(runner: ConsumerRunner): string {
  return runner
    .assignments()
    .map((a) => `${a.topic}:${a.partition}`)
    .join(',');
}
