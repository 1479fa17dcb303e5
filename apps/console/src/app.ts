import { join } from 'node:path';
import { createAdmin, createProducer, type KafkaConnectionConfig } from '@kafka-poc/kafka';
import {
  AppError,
  AuditTrail,
  createHttpServer,
  createLogger,
  createServiceMetrics,
  ensureAuditTopic,
  type HttpServer,
  type Logger,
  Readiness,
  stopInOrder,
  Tracing,
} from '@kafka-poc/service-kit';
import { Gauge } from 'prom-client';
import {
  consoleAuditPolicy,
  guardedProducer,
  registerAuditRoutes,
  registerAuditTopicGuard,
} from './audit/console-audit.ts';
import { registerAccess } from './auth/access.ts';
import type { ConsoleConfig } from './config.ts';
import { registerFlowRoutes } from './flow/flow-routes.ts';
import { createReadOnlyDb } from './flow/read-only-db.ts';
import { ServiceClient } from './flow/service-client.ts';
import { dependencyStatus } from './http/dependency-status.ts';
import { sendUnavailable, toHttpError } from './http/problem.ts';
import { SseStreams } from './http/sse.ts';
import { loadWebAssets } from './http/web-assets.ts';
import { registerWebRoutes } from './http/web-routes.ts';
import { registerClusterRoutes } from './kafka/cluster-routes.ts';
import { connectKafka } from './kafka/connect-kafka.ts';
import { registerDeadLetterRoutes } from './kafka/dead-letter-routes.ts';
import { registerGroupRoutes } from './kafka/group-routes.ts';
import type { KafkaDeps } from './kafka/kafka-deps.ts';
import { LagHistory } from './kafka/lag-history.ts';
import { LagSampler } from './kafka/lag-sampler.ts';
import { registerMessageRoutes } from './kafka/message-routes.ts';
import type { AppInfo } from './shared/views.ts';

const appRoot = join(import.meta.dirname, '..');

export interface ConsoleApp {
  readonly config: ConsoleConfig;
  readonly logger: Logger;
  readonly http: HttpServer;
  /** Listens at once (health answers), then waits for Kafka and starts sampling lag. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound port (useful with PORT=0). */
  port(): number;
}

/**
 * Wires the console: one admin and (unless read-only) one producer for Kafka, HTTP clients of the
 * three services, a read-only pool on the services' database, the lag sampler, the HTTP API under
 * /api and the browser app. Everything comes from `config`.
 */
export async function createConsole(
  config: ConsoleConfig,
  options: { logger?: Logger } = {},
): Promise<ConsoleApp> {
  const logger =
    options.logger ??
    createLogger({
      service: 'console',
      instance: config.instanceId,
      level: config.log.level,
      pretty: config.log.pretty,
    });
  const metrics = createServiceMetrics({ service: 'console', instance: config.instanceId });
  const tracing = new Tracing({
    service: 'console',
    instance: config.instanceId,
    otlpEndpoint: config.tracing.otlpEndpoint,
  });
  const readiness = new Readiness();
  const connection: KafkaConnectionConfig = {
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
    ...(config.kafka.tls ? { tls: config.kafka.tls } : {}),
  };
  const admin = createAdmin(connection);
  const producer = config.access.readOnly ? undefined : createProducer(connection);
  const lagHistory = new LagHistory({ capacity: config.lag.history, maxGroups: config.lag.maxGroups });
  const sampler = new LagSampler({
    admin,
    history: lagHistory,
    intervalMs: config.lag.sampleMs,
    idleIntervalMs: config.lag.idleSampleMs,
    maxGroups: config.lag.maxGroups,
    logger,
  });
  const streams = new SseStreams({ max: 50 });
  const db = createReadOnlyDb(
    config.database.url,
    (error) => logger.warn({ err: error }, 'idle database connection lost'),
    config.database.ssl,
  );
  const apiKey = config.services.apiKey;
  const services = {
    order: new ServiceClient({ name: 'order-service', baseUrl: config.services.order, apiKey }),
    inventory: new ServiceClient({ name: 'inventory-service', baseUrl: config.services.inventory, apiKey }),
    notification: new ServiceClient({
      name: 'notification-service',
      baseUrl: config.services.notification,
      apiKey,
    }),
  };
  // Writes through the console: logged, and produced to the audit topic with the console's own
  // producer; the routes get a producer that refuses the audit topic.
  const auditTopic = config.topics.auditEvents;
  const audit = new AuditTrail({
    source: 'console',
    instance: config.instanceId,
    topic: auditTopic,
    producer,
    logger,
    registry: metrics.registry,
  });
  const kafkaDeps: KafkaDeps = {
    admin,
    producer: guardedProducer(producer, auditTopic),
    clientId: config.kafka.clientId,
    topicDefaults: { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor },
    lagHistory,
    lagSampleMs: config.lag.sampleMs,
    lagIdleSampleMs: config.lag.idleSampleMs,
    streams,
    tailPollMs: config.tailPollMs,
  };

  let kafkaConnected = false;
  readiness.add('kafka', async () => {
    if (!kafkaConnected) return { ok: false, detail: 'connecting' };
    const cluster = await admin.describeCluster();
    return { ok: cluster.brokers.length > 0, detail: `${cluster.brokers.length} broker(s)` };
  });
  new Gauge({
    name: 'console_live_tails',
    help: 'Open live-tail streams',
    registers: [metrics.registry],
    collect() {
      this.set(streams.count);
    },
  });

  const http = await createHttpServer({
    tracing,
    logger,
    metrics,
    readiness,
    title: 'console',
    description: 'Kafka cluster, messages, consumer groups, dead letters and the order flow.',
    version: '1.0.0',
    audit: { trail: audit, policy: consoleAuditPolicy({ loginRequired: config.access.token !== undefined }) },
  });
  await registerAccess(http, config.access);
  // One encapsulated context for /api, so its error handler applies to the API routes only.
  const apiRoutes = (api: HttpServer, _options: unknown, done: (error?: Error) => void): void => {
    // Kafka errors become 404/409/422/503 problems; the shared handler then writes them. The console's
    // own 503s name the dependency that is down (the shared handler hides 5xx details).
    // Open pages poll the API: while they do, lag is sampled at the short interval.
    api.addHook('onRequest', async () => sampler.noteActivity());
    api.setErrorHandler(async (error, request, reply) => {
      const mapped = toHttpError(error);
      if (mapped instanceof AppError && mapped.code === 'UNAVAILABLE') {
        request.log.warn({ err: error }, 'dependency unavailable');
        return sendUnavailable(reply, mapped.message);
      }
      throw mapped;
    });
    api.get(
      '/api/info',
      { schema: { hide: true } },
      async (): Promise<AppInfo> => ({
        readOnly: config.access.readOnly,
        topics: config.topics,
        groups: config.groups,
        topicDefaults: kafkaDeps.topicDefaults,
        lagSampleMs: config.lag.sampleMs,
      }),
    );
    registerAuditTopicGuard(api, admin, auditTopic);
    registerAuditRoutes(api, admin, auditTopic);
    api.get('/api/status', { schema: { hide: true } }, async () =>
      dependencyStatus(admin, db, services, () => kafkaConnected),
    );
    registerClusterRoutes(api, kafkaDeps);
    registerMessageRoutes(api, kafkaDeps);
    registerGroupRoutes(api, kafkaDeps);
    registerDeadLetterRoutes(api, kafkaDeps);
    registerFlowRoutes(api, { db, services });
    done();
  };
  await http.register(apiRoutes);
  registerWebRoutes(http, await loadWebAssets(appRoot));
  http.addHook('preClose', async () => streams.closeAll());

  const stopping = new AbortController();
  const port = () => {
    const address = http.server.address();
    return typeof address === 'object' && address ? address.port : config.http.port;
  };

  return {
    config,
    logger,
    http,
    port,
    async start() {
      await http.listen({ host: config.http.host, port: config.http.port });
      logger.info(
        {
          url: `http://${config.http.host}:${port()}`,
          readOnly: config.access.readOnly,
          login: !!config.access.token,
        },
        'console listening',
      );
      await connectKafka(admin, producer, logger, config.kafka.brokers, stopping.signal);
      if (stopping.signal.aborted) return;
      kafkaConnected = true;
      if (producer) {
        await ensureAuditTopic(admin, auditTopic, config.kafka).then(
          (created) => created && logger.info({ topic: auditTopic }, 'audit topic created'),
          (error: unknown) => logger.warn({ err: error, topic: auditTopic }, 'audit topic not created'),
        );
      }
      sampler.start();
      logger.info('console ready');
    },
    async stop() {
      stopping.abort();
      await stopInOrder(
        [
          { name: 'lag sampler', stop: () => sampler.stop() },
          { name: 'http', stop: () => http.close() },
          { name: 'producer', stop: () => producer?.stop() ?? Promise.resolve() },
          { name: 'admin', stop: () => admin.stop() },
          { name: 'db pool', stop: () => db.end() },
          { name: 'tracing', stop: () => tracing.shutdown() },
        ],
        logger,
        config.shutdownTimeoutMs,
      );
    },
  };
}
