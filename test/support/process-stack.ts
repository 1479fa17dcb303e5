import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerGroup, SERVICES } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import {
  type BrokerTiming,
  findService,
  freePort,
  isAlive,
  type KafkaCluster,
  type PostgresServer,
  repoRoot,
  roleDatabaseUrl,
  ServiceProcess,
  startKafka,
  startPostgres,
  startWatchdog,
  type Watchdog,
  warmUpGroupCoordinator,
} from '@kafka-poc/local-stack';
import {
  LOAD_SEED,
  type LoadOptions,
  parseStockSeed,
  type RunningLoad,
  startLoad,
} from '@kafka-poc/verification';

export type ServiceName = 'order-service' | 'inventory-service' | 'notification-service';

function serviceDatabaseRole(service: ServiceName): string {
  const definition = findService(service);
  if (!definition) throw new Error(`unknown service ${service}`);
  return definition.databaseRole;
}

const DIR_PREFIX = 'kafka-poc-faults-';
const OWNER_FILE = 'owner.pid';

/** Where scenario results and the logs of failed scenarios go (git-ignored). */
export const RESULTS_DIR = join(repoRoot(), 'test-results', 'faults');

/** A service's key in contracts' SERVICES (and CONSUMED_TOPIC), by its name. */
function serviceKey(service: ServiceName): keyof typeof SERVICES {
  const key = (Object.keys(SERVICES) as (keyof typeof SERVICES)[]).find((k) => SERVICES[k] === service);
  if (!key) throw new Error(`unknown service ${service}`);
  return key;
}

const GROUP_ENV: Record<ServiceName, string> = {
  'order-service': 'ORDER_SERVICE_GROUP',
  'inventory-service': 'INVENTORY_SERVICE_GROUP',
  'notification-service': 'NOTIFICATION_SERVICE_GROUP',
};

export interface StackOptions {
  /** Names the temp dir and the kept logs. */
  name: string;
  brokers?: 1 | 3;
  /**
   * The broker's failure detection: 'fast' (the local stack's 10 s sessions) or 'stock' (Kafka's own
   * defaults, as production clusters run). Default: KAFKA_TIMING of the environment, else 'fast', so
   * `KAFKA_TIMING=stock npm run test:faults` plays the whole suite on stock settings.
   */
  timing?: BrokerTiming;
}

function timingOf(options: StackOptions): BrokerTiming {
  if (options.timing) return options.timing;
  const fromEnv = process.env.KAFKA_TIMING;
  if (fromEnv === undefined || fromEnv === '') return 'fast';
  if (fromEnv === 'fast' || fromEnv === 'stock') return fromEnv;
  throw new Error(`KAFKA_TIMING must be fast or stock, not ${fromEnv}`);
}

/**
 * A Kafka cluster and a PostgreSQL server of our own (random ports, temp dir), which a fault test
 * may stop and start at will, and the service processes running against them. A watchdog stops
 * everything if the test process dies.
 */
export class ProcessStack {
  readonly name: string;
  readonly dir: string;
  readonly kafka: KafkaCluster;
  readonly postgres: PostgresServer;
  readonly admin: KafkaAdmin;
  readonly watchdog: Watchdog;
  readonly scenarios: Scenario[] = [];
  /** Set by a failing test (or FAULT_KEEP_LOGS=1): service, broker and Postgres logs are kept under RESULTS_DIR. */
  keepLogs = process.env.FAULT_KEEP_LOGS === '1';

  private constructor(args: {
    name: string;
    dir: string;
    kafka: KafkaCluster;
    postgres: PostgresServer;
    admin: KafkaAdmin;
    watchdog: Watchdog;
  }) {
    this.name = args.name;
    this.dir = args.dir;
    this.kafka = args.kafka;
    this.postgres = args.postgres;
    this.admin = args.admin;
    this.watchdog = args.watchdog;
  }

  static async start(options: StackOptions): Promise<ProcessStack> {
    assertNode24();
    await removeAbandonedDirs();
    const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${options.name}-`));
    // Postgres runs as the postgres user when we are root: it must be able to enter the dir.
    await chmod(dir, 0o755);
    await writeFile(join(dir, OWNER_FILE), String(process.pid));
    const watchdog = startWatchdog({ graceMs: 5000 });
    const brokers = options.brokers ?? 1;
    const [kafka, postgres] = await Promise.allSettled([
      startKafka({
        dataDir: join(dir, 'kafka'),
        brokers,
        ports: 'random',
        heapMb: 384,
        watchdog,
        timing: timingOf(options),
      }),
      startPostgres({ dataDir: join(dir, 'postgres'), port: 0, fsync: false, watchdog }),
    ]);
    if (kafka.status === 'rejected' || postgres.status === 'rejected') {
      await Promise.allSettled([
        kafka.status === 'fulfilled' ? kafka.value.stop() : undefined,
        postgres.status === 'fulfilled' ? postgres.value.stop() : undefined,
      ]);
      watchdog.stop();
      await rm(dir, { recursive: true, force: true });
      throw kafka.status === 'rejected' ? kafka.reason : (postgres as PromiseRejectedResult).reason;
    }
    const bootstrap = kafka.value.bootstrapServers.split(',');
    await warmUpGroupCoordinator(bootstrap);
    const admin = createAdmin({ brokers: bootstrap, clientId: `faults-${options.name}` });
    await admin.start();
    await mkdir(join(dir, 'logs'), { recursive: true });
    return new ProcessStack({
      name: options.name,
      dir,
      kafka: kafka.value,
      postgres: postgres.value,
      admin,
      watchdog,
    });
  }

  /** A fresh database and its own topics and consumer groups: scenarios never see each other's data. */
  async scenario(name: string, options: { seed?: string; env?: Record<string, string> } = {}) {
    const ns = `${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
    const databaseUrl = await this.postgres.createDatabase(ns);
    const scenario = new Scenario(this, {
      name,
      databaseUrl,
      logsDir: join(this.dir, 'logs', name),
      seed: options.seed ?? LOAD_SEED,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        NODE_ENV: 'test',
        // The load generator sends no API key (auth is on by default only in production).
        AUTH_REQUIRED: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'info',
        LOG_PRETTY: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        KAFKA_BROKERS: this.kafka.bootstrapServers,
        KAFKA_REPLICATION_FACTOR: String(this.kafka.nodes.length === 3 ? 3 : 1),
        DATABASE_URL: databaseUrl,
        INVENTORY_SEED: options.seed ?? LOAD_SEED,
        TOPIC_ORDER_EVENTS: `${ns}.order-events`,
        TOPIC_INVENTORY_EVENTS: `${ns}.inventory-events`,
        ORDER_SERVICE_GROUP: `${ns}.order-service`,
        INVENTORY_SERVICE_GROUP: `${ns}.inventory-service`,
        NOTIFICATION_SERVICE_GROUP: `${ns}.notification-service`,
        ...options.env,
      },
    });
    await mkdir(scenario.logsDir, { recursive: true });
    this.scenarios.push(scenario);
    return scenario;
  }

  /**
   * Stops the loads (a failed test may leave one running), every service (SIGTERM, then SIGKILL), the
   * admin, Kafka and Postgres; removes the temp dir.
   */
  async stop(): Promise<void> {
    await Promise.allSettled(this.scenarios.flatMap((s) => s.loads.map((l) => l.stop())));
    await Promise.allSettled(this.scenarios.flatMap((s) => s.instances.map((i) => i.ensureStopped())));
    await this.admin.stop().catch(() => undefined);
    // The data is thrown away: no controlled shutdown needed (it takes seconds per broker).
    await Promise.allSettled(
      this.kafka.nodes.map((n) => this.kafka.stopNode(n.nodeId, { signal: 'SIGKILL' })),
    );
    await Promise.allSettled([this.kafka.stop(), this.postgres.stop()]);
    this.watchdog.stop();
    if (this.keepLogs) {
      const target = join(RESULTS_DIR, 'failed-logs', this.name);
      await rm(target, { recursive: true, force: true });
      await cp(join(this.dir, 'logs'), join(target, 'services'), { recursive: true }).catch(() => undefined);
      await cp(join(this.dir, 'kafka'), join(target, 'kafka'), {
        recursive: true,
        // Broker logs and config only, not the partition data.
        filter: (src) => !/\/data(\/|$)/.test(src),
      }).catch(() => undefined);
      await cp(this.postgres.logFile, join(target, 'postgres.log')).catch(() => undefined);
      process.stderr.write(`[faults] logs of ${this.name} kept in ${target}\n`);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The services of one scenario: same env (database, topics, groups), one log file per instance. */
export class Scenario {
  readonly stack: ProcessStack;
  readonly name: string;
  readonly databaseUrl: string;
  readonly logsDir: string;
  readonly env: Record<string, string>;
  readonly initialStock: Map<string, number>;
  readonly instances: ServiceProcess[] = [];
  readonly loads: RunningLoad[] = [];

  constructor(
    stack: ProcessStack,
    args: { name: string; databaseUrl: string; logsDir: string; seed: string; env: Record<string, string> },
  ) {
    this.stack = stack;
    this.name = args.name;
    this.databaseUrl = args.databaseUrl;
    this.logsDir = args.logsDir;
    this.env = args.env;
    this.initialStock = parseStockSeed(args.seed);
  }

  get topics(): { orderEvents: string; inventoryEvents: string } {
    return {
      orderEvents: this.env.TOPIC_ORDER_EVENTS ?? '',
      inventoryEvents: this.env.TOPIC_INVENTORY_EVENTS ?? '',
    };
  }

  group(service: ServiceName): string {
    return this.env[GROUP_ENV[service]] ?? '';
  }

  /** A service's consumer group with the topic it reads. */
  consumerGroup(service: ServiceName): { groupId: string; topics: string[] } {
    return consumerGroup(serviceKey(service), this.topics, this.group(service));
  }

  /** Every consumer group with the topic it reads, for lag checks. */
  get consumerGroups(): { groupId: string; topics: string[] }[] {
    return (['inventory-service', 'order-service', 'notification-service'] as const).map((s) =>
      this.consumerGroup(s),
    );
  }

  /** Starts `count` more instances of a service (concurrently) and waits until each is ready. */
  async add(
    service: ServiceName,
    count = 1,
    env: Record<string, string> = {},
    options: { pipeOutput?: boolean } = {},
  ): Promise<ServiceProcess[]> {
    const created: ServiceProcess[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      // Named after the await, right before the push: concurrent add() calls never share an id.
      const id = `${service}-${this.instancesOf(service, { all: true }).length + 1}`;
      const instance = new ServiceProcess({
        service,
        id,
        port,
        env: {
          ...this.env,
          // Each service connects as its own role; the scenario's URL is the administrator's.
          DATABASE_URL: roleDatabaseUrl(this.databaseUrl, serviceDatabaseRole(service)),
          ...env,
          PORT: String(port),
          INSTANCE_ID: id,
        },
        logFile: join(this.logsDir, `${id}.log`),
        watchdog: this.stack.watchdog,
        ...options,
      });
      this.instances.push(instance);
      created.push(instance);
    }
    await Promise.all(created.map((i) => i.start()));
    return created;
  }

  /**
   * One instance of each service (or `counts`), all started at once: each creates the topics it
   * needs, migrates only its own tables, and no order arrives before all are ready.
   */
  async startPipeline(counts: Partial<Record<ServiceName, number>> = {}): Promise<void> {
    await Promise.all(
      (['inventory-service', 'order-service', 'notification-service'] as const).map((service) =>
        this.add(service, counts[service] ?? 1),
      ),
    );
  }

  /** Running instances of a service (or every instance ever added, with all: true). */
  instancesOf(service: ServiceName, options: { all?: boolean } = {}): ServiceProcess[] {
    return this.instances.filter((i) => i.service === service && (options.all || i.running));
  }

  /** Open-loop POST /orders against the running order-service instances (or `targets`). */
  load(options: Omit<LoadOptions, 'targets'> & Partial<Pick<LoadOptions, 'targets'>>): RunningLoad {
    const load = startLoad({ targets: () => this.orderUrls(), ...options });
    this.loads.push(load);
    return load;
  }

  /** The instance with this id (e.g. 'inventory-service-1'), running or not. */
  instance(id: string): ServiceProcess {
    const found = this.instances.find((i) => i.id === id);
    if (!found) throw new Error(`no instance ${id} in scenario ${this.name}`);
    return found;
  }

  /** Base URLs of the running order-service instances (the load generator's targets). */
  orderUrls(): string[] {
    return this.instancesOf('order-service').map((i) => i.url);
  }

  /** Exits nobody asked for, by instance id (empty = every service kept running). */
  unexpectedExits(): Record<string, number> {
    return Object.fromEntries(
      this.instances.filter((i) => i.unexpectedExits.length > 0).map((i) => [i.id, i.unexpectedExits.length]),
    );
  }
}

/** A killed test run cannot delete its temp dir (its watchdog only stops the processes): the next run does. */
async function removeAbandonedDirs(): Promise<void> {
  for (const entry of await readdir(tmpdir()).catch(() => [])) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner))
      await rm(dir, { recursive: true, force: true });
  }
}

function assertNode24(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new Error(
      `the services need Node 24 (type stripping); this is ${process.version} at ${process.execPath}. ` +
        'Run the suite through npm (npm run test:faults) or npx vitest, which put node@24 first on PATH.',
    );
  }
}
