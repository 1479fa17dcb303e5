import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { setUpLocalDatabase, setUpLocalRoles } from './database-setup.ts';
import { LocalStackError } from './errors.ts';
import {
  databaseClientEnv,
  type InfraClientEnv,
  type InfraKafkaSecurity,
  kafkaClientEnv,
  type LocalKafkaSecurity,
  localKafkaSecurity,
} from './infra-security.ts';
import { type KafkaCluster, startKafka } from './kafka-broker.ts';
import { probeBrokers } from './kafka-readiness.ts';
import { infraFile } from './paths.ts';
import { type PostgresServer, startPostgres } from './postgres.ts';
import { isAlive, readIfExists } from './processes.ts';
import { elapsed, type OnProgress } from './progress.ts';
import { startWatchdog, type Watchdog } from './watchdog.ts';

/** The content of .data/infra.json. */
export interface InfraInfo {
  bootstrapServers: string;
  databaseUrl: string;
  pid: number;
  startedAt: string;
  dataDir: string;
  logs: string[];
  /** Set when the local broker was started with --kafka-security. */
  kafkaSecurityProtocol?: string;
  /** Variables clients need for a secured Kafka / Postgres (file paths, never secrets). */
  clientEnv?: InfraClientEnv;
  /** Where credentials come from, for humans. */
  notes?: string[];
}

export interface RunningInfra {
  readonly info: InfraInfo;
  readonly kafka: KafkaCluster | undefined;
  readonly postgres: PostgresServer | undefined;
  readonly readyInMs: number;
  /** Stops what this process started (Kafka and Postgres in parallel) and removes infra.json. */
  stop(): Promise<void>;
}

export interface StartInfraOptions {
  dataRoot: string;
  brokers: 1 | 3;
  /** The launcher's environment: KAFKA_BROKERS / DATABASE_URL name existing servers to use instead. */
  env: NodeJS.ProcessEnv;
  onProgress: OnProgress;
  /** Share the launcher's watchdog (so it can stop services before infra); default: one of its own. */
  watchdog?: Watchdog;
  /** SASL/SCRAM and/or TLS on the local broker (own data dir, see kafkaDataDir); default none. */
  kafkaSecurity?: InfraKafkaSecurity;
  /** ssl=on for the local Postgres, with a throwaway CA; plaintext stays accepted. */
  postgresTls?: boolean;
}

/** infra.json of a launcher that is still alive, else undefined (a stale file is ignored). */
export async function findRunningInfra(dataRoot: string): Promise<InfraInfo | undefined> {
  const text = await readIfExists(infraFile(dataRoot));
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as InfraInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts Kafka and Postgres concurrently under .data (or uses KAFKA_BROKERS / DATABASE_URL when set)
 * and writes infra.json. One watchdog covers both, so a killed launcher leaves nothing behind.
 */
export async function startInfra(options: StartInfraOptions): Promise<RunningInfra> {
  const startedAt = performance.now();
  const { env } = options;
  const { dataRoot, onProgress } = options;
  const running = await findRunningInfra(dataRoot);
  if (running) {
    throw new LocalStackError('INFRA_ALREADY_RUNNING', `Infra is already running (pid ${running.pid}).`, {
      retryable: false,
      hint: `Kafka ${running.bootstrapServers}, DATABASE_URL ${running.databaseUrl}; stop it first (Ctrl-C or kill ${running.pid})`,
    });
  }
  await mkdir(dataRoot, { recursive: true });
  refuseSecurityForExisting(options, env);
  const kafkaSecurity = options.kafkaSecurity
    ? await localKafkaSecurity(options.kafkaSecurity, kafkaDataDir(options), env)
    : undefined;
  const ownWatchdog = options.watchdog === undefined;
  const watchdog = options.watchdog ?? startWatchdog({ logFile: join(dataRoot, 'watchdog.log') });
  const [kafkaResult, postgresResult] = await Promise.allSettled([
    env.KAFKA_BROKERS
      ? useExistingKafka(env.KAFKA_BROKERS, onProgress)
      : startOwnKafka(options, watchdog, kafkaSecurity),
    env.DATABASE_URL
      ? useExistingPostgres(env.DATABASE_URL, onProgress)
      : startOwnPostgres(options, watchdog),
  ]);
  const kafka = kafkaResult.status === 'fulfilled' ? kafkaResult.value : undefined;
  const postgres = postgresResult.status === 'fulfilled' ? postgresResult.value : undefined;
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled([
      typeof kafka === 'object' ? kafka.stop() : undefined,
      typeof postgres === 'object' ? postgres.stop() : undefined,
    ]);
    if (ownWatchdog) watchdog.stop();
  };
  const failure = [kafkaResult, postgresResult].find((r) => r.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }

  const bootstrapServers = typeof kafka === 'object' ? kafka.bootstrapServers : (env.KAFKA_BROKERS ?? '');
  const databaseUrl = typeof postgres === 'object' ? postgres.databaseUrl : (env.DATABASE_URL ?? '');
  const clientEnv: InfraClientEnv = {
    ...(typeof kafka === 'object' && kafkaSecurity
      ? { kafka: kafkaClientEnv(kafka, kafkaSecurity.clientEnv) }
      : {}),
    ...(typeof postgres === 'object' && postgres.caFile ? { database: databaseClientEnv(postgres) } : {}),
  };
  const info: InfraInfo = {
    bootstrapServers,
    databaseUrl,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir: dataRoot,
    logs: [
      ...(typeof kafka === 'object' ? kafka.nodes.map((n) => n.logFile) : []),
      ...(typeof postgres === 'object' ? [postgres.logFile] : []),
    ],
    ...(typeof kafka === 'object' && kafkaSecurity ? { kafkaSecurityProtocol: kafka.securityProtocol } : {}),
    ...(clientEnv.kafka || clientEnv.database ? { clientEnv } : {}),
    ...(kafkaSecurity && kafkaSecurity.notes.length > 0 ? { notes: kafkaSecurity.notes } : {}),
  };
  await writeFile(infraFile(dataRoot), `${JSON.stringify(info, null, 2)}\n`);
  return {
    info,
    kafka: typeof kafka === 'object' ? kafka : undefined,
    postgres: typeof postgres === 'object' ? postgres : undefined,
    readyInMs: performance.now() - startedAt,
    stop: async () => {
      await stopAll();
      await rm(infraFile(dataRoot), { force: true });
    },
  };
}

/**
 * The local broker's data dir. A SCRAM broker gets its own (kafka-scram, for scram and scram+tls):
 * KRaft takes SCRAM users only when the storage is formatted, so a dir formatted without them cannot
 * be switched over. TLS alone is listener configuration, but gets its own dir too (kafka-tls), so
 * switching modes never meets a storage formatted for another one.
 */
function kafkaDataDir(options: StartInfraOptions): string {
  const dir = options.brokers === 1 ? 'kafka' : 'kafka-3';
  if (!options.kafkaSecurity) return join(options.dataRoot, dir);
  return join(options.dataRoot, `${dir}-${options.kafkaSecurity === 'tls' ? 'tls' : 'scram'}`);
}

function startOwnKafka(options: StartInfraOptions, watchdog: Watchdog, secure?: LocalKafkaSecurity) {
  return startKafka({
    dataDir: kafkaDataDir(options),
    brokers: options.brokers,
    ports: 'default',
    onProgress: (m) => options.onProgress(`kafka: ${m}`),
    watchdog,
    ...(secure ? { security: secure.security } : {}),
  });
}

function startOwnPostgres(options: StartInfraOptions, watchdog: Watchdog) {
  return startPostgres({
    dataDir: join(options.dataRoot, 'postgres'),
    port: 5432,
    onProgress: (m) => options.onProgress(`postgres: ${m}`),
    watchdog,
    ...(options.postgresTls ? { tls: true } : {}),
  });
}

/** Security options configure servers we start; for existing ones the client variables say it all. */
function refuseSecurityForExisting(options: StartInfraOptions, env: NodeJS.ProcessEnv): void {
  if (options.kafkaSecurity && env.KAFKA_BROKERS) {
    throw new LocalStackError(
      'INVALID_ARGUMENT',
      '--kafka-security secures the local broker, but KAFKA_BROKERS points at an existing cluster.',
      {
        retryable: false,
        hint: 'unset KAFKA_BROKERS, or drop --kafka-security (see docs/security-kafka.md)',
      },
    );
  }
  if (options.postgresTls && env.DATABASE_URL) {
    throw new LocalStackError(
      'INVALID_ARGUMENT',
      '--postgres-tls secures the local Postgres, but DATABASE_URL points at an existing server.',
      { retryable: false, hint: 'unset DATABASE_URL, or drop --postgres-tls' },
    );
  }
}

async function useExistingKafka(brokers: string, onProgress: OnProgress): Promise<string> {
  const startedAt = performance.now();
  try {
    const ids = await probeBrokers(brokers.split(','), 5000);
    onProgress(
      `kafka: using existing cluster ${brokers} (brokers [${ids.join(',')}], ${elapsed(startedAt)})`,
    );
    return brokers;
  } catch (cause) {
    throw new LocalStackError('KAFKA_NOT_READY', `KAFKA_BROKERS=${brokers} does not answer.`, {
      retryable: true,
      cause,
      hint: 'unset KAFKA_BROKERS to start a local broker instead',
    });
  }
}

async function useExistingPostgres(url: string, onProgress: OnProgress): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    onProgress(`postgres: using existing server ${redact(url)}`);
  } catch (cause) {
    throw new LocalStackError('POSTGRES_NOT_READY', `DATABASE_URL=${redact(url)} does not answer.`, {
      retryable: true,
      cause,
      hint: 'unset DATABASE_URL to start a local Postgres instead',
    });
  } finally {
    await client.end().catch(() => undefined);
  }
  // The services connect with roles of their own (local passwords): the same setup as for our server.
  await setUpLocalRoles(url);
  await setUpLocalDatabase(url);
  onProgress(`postgres: roles and schemas of the services set up in ${redact(url)}`);
  return url;
}

/** Hides the password of a connection URL in output. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
