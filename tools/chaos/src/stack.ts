/**
 * The system under test: a 3-node KRaft cluster and PostgreSQL of our own (temp dir, random ports),
 * toxiproxy between every service instance and each broker and Postgres, and the services as real
 * processes. Each instance slot has its own Kafka listener (advertising its proxies) and its own
 * Postgres proxy, so one instance can be slowed or cut off while the others run. The checker, the
 * admin and the nemesis' own SQL use the direct ports.
 */
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerGroups, SERVICES, type ServiceName, TOPICS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import {
  type BrokerTiming,
  buildApps,
  databaseRoleOf,
  freeStablePorts,
  isAlive,
  type KafkaCluster,
  type PostgresServer,
  repoRoot,
  roleDatabaseUrl,
  ServiceProcess,
  startKafka,
  startPostgres,
  startToxiproxy,
  startWatchdog,
  type ToxiproxyServer,
  type Watchdog,
  warmUpGroupCoordinator,
} from '@kafka-poc/local-stack';
import { type ConsumerGroup, LOAD_SEED, parseStockSeed } from '@kafka-poc/verification';
import { Proxies } from './proxies.ts';

export type { ServiceName };
export const SERVICE_NAMES: readonly ServiceName[] = Object.values(SERVICES);

/** Base instances per service; one more slot per service is the spare that joins for rebalances. */
export const BASE_INSTANCES = 2;
/**
 * Between SIGTERM and SIGKILL, as Kubernetes' default terminationGracePeriodSeconds: a service gives
 * each part of its shutdown SHUTDOWN_TIMEOUT_MS, so under slow statements it may need several budgets.
 */
export const TERMINATION_GRACE_MS = 30_000;
const SLOTS_PER_SERVICE = BASE_INSTANCES + 1;
const DIR_PREFIX = 'kafka-poc-chaos-';
const OWNER_FILE = 'owner.pid';

/**
 * Two "versions" of the services for rolling upgrades: the same code with other settings, so old
 * and new run side by side — the classic group protocol next to KIP-848's, other batch sizes and
 * relay lingers. The campaign starts on `current` (the defaults).
 */
export const VERSIONS = {
  current: {},
  previous: { KAFKA_GROUP_PROTOCOL: 'classic', CONSUMER_MAX_BATCH: '100', OUTBOX_RELAY_LINGER_MS: '0' },
} as const satisfies Record<string, Record<string, string>>;
export type Version = keyof typeof VERSIONS;

export interface Slot {
  /** e.g. inventory-service-2 (also its INSTANCE_ID and its proxies' prefix). */
  readonly id: string;
  readonly service: ServiceName;
  /** 1-based; the last one is the spare. */
  readonly index: number;
  readonly spare: boolean;
  readonly process: ServiceProcess;
  /** Toxiproxy proxy names: one per broker (in node order), and Postgres. */
  readonly kafkaProxies: string[];
  readonly pgProxy: string;
  /** What the slot should be doing; the supervisor restarts a slot that should run and does not. */
  desired: 'running' | 'stopped';
  version: Version;
  /** The slot's environment without any version settings. */
  readonly baseEnv: Record<string, string>;
}

export interface StackInfo {
  dir: string;
  bootstrapServers: string;
  databaseUrl: string;
  toxiproxyApi: string;
  slots: { id: string; url: string; kafka: string; postgres: string }[];
}

export class ChaosStack {
  readonly dir: string;
  readonly kafka: KafkaCluster;
  readonly postgres: PostgresServer;
  readonly toxiproxy: ToxiproxyServer;
  readonly proxies: Proxies;
  readonly admin: KafkaAdmin;
  readonly watchdog: Watchdog;
  readonly slots: Slot[];
  readonly initialStock = parseStockSeed(LOAD_SEED);
  readonly topics = { orderEvents: TOPICS.orderEvents, inventoryEvents: TOPICS.inventoryEvents };
  readonly groups: ConsumerGroup[] = consumerGroups(TOPICS);

  private constructor(args: {
    dir: string;
    kafka: KafkaCluster;
    postgres: PostgresServer;
    toxiproxy: ToxiproxyServer;
    proxies: Proxies;
    admin: KafkaAdmin;
    watchdog: Watchdog;
    slots: Slot[];
  }) {
    this.dir = args.dir;
    this.kafka = args.kafka;
    this.postgres = args.postgres;
    this.toxiproxy = args.toxiproxy;
    this.proxies = args.proxies;
    this.admin = args.admin;
    this.watchdog = args.watchdog;
    this.slots = args.slots;
  }

  /** The database the services use, reached directly (not through any proxy). */
  get databaseUrl(): string {
    return this.postgres.databaseUrl;
  }

  static async start(options: {
    seed: number;
    logLevel: string;
    brokerTiming: BrokerTiming;
    log: (message: string) => void;
  }): Promise<ChaosStack> {
    const { log } = options;
    await removeAbandonedDirs();
    // The production build, as npm start and the images run it.
    await buildApps(repoRoot(), log);
    const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
    // Postgres runs as the postgres user when we are root: it must be able to enter the dir.
    await chmod(dir, 0o755);
    await writeFile(join(dir, OWNER_FILE), String(process.pid));
    await mkdir(join(dir, 'logs'), { recursive: true });
    const watchdog = startWatchdog({ graceMs: 5000, logFile: join(dir, 'logs', 'watchdog.log') });
    const plan = slotPlan();
    const brokers = 3;
    // Outside the ephemeral range: brokers, Postgres and services restart on their ports.
    const ports = await freeStablePorts(plan.length * (brokers + 2) + brokers * 2 + 1);
    const take = () => ports.shift() ?? 0;
    const kafkaPorts = Array.from({ length: brokers }, () => ({
      brokerPort: take(),
      controllerPort: take(),
    }));
    const postgresPort = take();
    const slotPorts = plan.map((s) => ({
      ...s,
      kafka: Array.from({ length: brokers }, take),
      pg: take(),
      http: take(),
    }));
    const started: { stop: () => Promise<void> }[] = [];
    try {
      const toxiproxy = await startToxiproxy({
        logFile: join(dir, 'logs', 'toxiproxy.log'),
        seed: options.seed,
        watchdog,
        onProgress: (m) => log(`toxiproxy: ${m}`),
      });
      started.push(toxiproxy);
      const [kafka, postgres] = await Promise.all([
        startKafka({
          dataDir: join(dir, 'kafka'),
          brokers,
          ports: kafkaPorts,
          heapMb: 384,
          watchdog,
          timing: options.brokerTiming,
          listeners: slotPorts.map((s) => ({ name: s.listener, advertisedPorts: s.kafka })),
          onProgress: (m) => log(`kafka: ${m}`),
        }).then((k) => {
          started.push(k);
          return k;
        }),
        startPostgres({
          dataDir: join(dir, 'postgres'),
          port: postgresPort,
          fsync: false,
          watchdog,
          onProgress: (m) => log(`postgres: ${m}`),
        }).then((p) => {
          started.push(p);
          return p;
        }),
      ]);
      const proxies = new Proxies(toxiproxy.apiUrl);
      for (const s of slotPorts) {
        for (const [i, node] of kafka.nodes.entries()) {
          const upstream = node.listeners.find((l) => l.name === s.listener)?.port;
          await proxies.create(`${s.id}.kafka-${node.nodeId}`, s.kafka[i] ?? 0, upstream ?? 0);
        }
        await proxies.create(`${s.id}.pg`, s.pg, postgres.port);
      }
      log(
        `toxiproxy: ${slotPorts.length * (brokers + 1)} proxies (one per instance slot and broker, and Postgres)`,
      );
      const bootstrap = kafka.bootstrapServers.split(',');
      await warmUpGroupCoordinator(bootstrap);
      const admin = createAdmin({ brokers: bootstrap, clientId: 'chaos' });
      await admin.start();
      const baseEnv = serviceBaseEnv(options.logLevel);
      const slots = slotPorts.map((s): Slot => {
        // Each service connects as its own role (it owns its schema; docs/architecture.md).
        const databaseUrl = roleDatabaseUrl(viaPort(postgres.databaseUrl, s.pg), databaseRoleOf(s.service));
        const env = {
          ...baseEnv,
          PORT: String(s.http),
          INSTANCE_ID: s.id,
          KAFKA_BROKERS: s.kafka.map((p) => `127.0.0.1:${p}`).join(','),
          DATABASE_URL: databaseUrl,
        };
        return {
          id: s.id,
          service: s.service,
          index: s.index,
          spare: s.spare,
          process: new ServiceProcess({
            service: s.service,
            id: s.id,
            port: s.http,
            env,
            logFile: join(dir, 'logs', `${s.id}.log`),
            watchdog,
          }),
          kafkaProxies: kafka.nodes.map((n) => `${s.id}.kafka-${n.nodeId}`),
          pgProxy: `${s.id}.pg`,
          desired: s.spare ? 'stopped' : 'running',
          version: 'current',
          baseEnv: env,
        };
      });
      const stack = new ChaosStack({ dir, kafka, postgres, toxiproxy, proxies, admin, watchdog, slots });
      started.length = 0;
      return stack;
    } catch (error) {
      await Promise.allSettled(started.reverse().map((s) => s.stop()));
      watchdog.stop();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Starts the base instances: one inventory-service first (it seeds the stock), then the rest at once. */
  async startServices(log: (message: string) => void): Promise<void> {
    const base = this.slots.filter((s) => !s.spare);
    const [first, ...rest] = base;
    if (!first) return;
    await first.process.start(120_000);
    await Promise.all(rest.map((s) => s.process.start(120_000)));
    log(`services ready: ${base.map((s) => `${s.id} ${s.process.url}`).join(', ')}`);
  }

  /** Switches a slot to a version; it takes effect at its next start. */
  setVersion(slot: Slot, version: Version): void {
    slot.version = version;
    slot.process.setEnv({ ...slot.baseEnv, ...VERSIONS[version] });
  }

  slot(id: string): Slot {
    const found = this.slots.find((s) => s.id === id);
    if (!found) throw new Error(`no slot ${id}`);
    return found;
  }

  /**
   * Order-service instances a load balancer would send to: ready since their start and not told to
   * stop (a frozen one still looks alive, as it would to a balancer until its health checks fail).
   */
  orderUrls(): string[] {
    return this.slots
      .filter((s) => s.service === 'order-service' && s.process.ready)
      .map((s) => s.process.url);
  }

  info(): StackInfo {
    return {
      dir: this.dir,
      bootstrapServers: this.kafka.bootstrapServers,
      databaseUrl: this.databaseUrl,
      toxiproxyApi: this.toxiproxy.apiUrl,
      slots: this.slots.map((s) => ({
        id: s.id,
        url: s.process.url,
        kafka: s.process.env.KAFKA_BROKERS ?? '',
        postgres: s.process.env.DATABASE_URL ?? '',
      })),
    };
  }

  /** Copies the logs (services, brokers, Postgres, toxiproxy) to `target`. */
  async keepLogs(target: string): Promise<void> {
    await mkdir(target, { recursive: true });
    await cp(join(this.dir, 'logs'), join(target, 'services'), { recursive: true }).catch(() => undefined);
    await cp(this.postgres.logFile, join(target, 'postgres.log')).catch(() => undefined);
    for (const node of this.kafka.nodes) {
      await cp(node.logFile, join(target, `kafka-${node.nodeId}.log`)).catch(() => undefined);
    }
  }

  /** Stops everything (services first); removes the temp dir unless `keep`. */
  async stop(options: { keep: boolean }): Promise<void> {
    for (const s of this.slots) s.desired = 'stopped';
    await Promise.allSettled(this.slots.map((s) => s.process.ensureStopped()));
    await this.admin.stop().catch(() => undefined);
    for (const node of this.kafka.nodes) {
      if (node.pid) process.kill(node.pid, 'SIGCONT');
    }
    await Promise.allSettled([this.kafka.stop(), this.postgres.stop(), this.toxiproxy.stop()]);
    this.watchdog.stop();
    // A kept dir has no owner file, so the next run does not take it for an abandoned one.
    if (options.keep) await rm(join(this.dir, OWNER_FILE), { force: true });
    else await rm(this.dir, { recursive: true, force: true });
  }
}

function slotPlan() {
  return SERVICE_NAMES.flatMap((service) =>
    Array.from({ length: SLOTS_PER_SERVICE }, (_, i) => {
      const index = i + 1;
      const listener = `${service.split('-')[0]?.toUpperCase()}_${index}`;
      return { id: `${service}-${index}`, service, index, spare: index > BASE_INSTANCES, listener };
    }),
  );
}

/** The environment every instance shares (ports, brokers and database are per slot). */
function serviceBaseEnv(logLevel: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'test',
    // The load generator sends no API key (auth is on by default only in production).
    AUTH_REQUIRED: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: logLevel,
    LOG_PRETTY: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
    KAFKA_REPLICATION_FACTOR: '3',
    INVENTORY_SEED: LOAD_SEED,
  };
}

function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

/** A killed campaign cannot delete its temp dir (its watchdog only stops the processes): the next run does. */
async function removeAbandonedDirs(): Promise<void> {
  for (const entry of await readdir(tmpdir()).catch(() => [])) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner))
      await rm(dir, { recursive: true, force: true });
  }
}
