import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalStackError } from './errors.ts';
import { checkJava } from './java.ts';
import {
  type BrokerTiming,
  brokerProperties,
  defaultPorts,
  type ListenerPorts,
  log4j2Properties,
  type NodePorts,
  newClusterId,
  toPropertiesFile,
} from './kafka-config.ts';
import { ensureKafkaDist } from './kafka-dist.ts';
import { type ProbeSecurity, probeBrokers } from './kafka-readiness.ts';
import {
  type KafkaClientSecurity,
  type KafkaSecurityOptions,
  type KafkaSecurityProtocol,
  missingScramUsers,
  type ScramUserRecord,
  scramFormatArgs,
  scramUserRecords,
  secureListenerProperties,
  securityProtocol,
  validateSecurity,
  wantsClientAuth,
  withOverrides,
} from './kafka-security.ts';
import { freePorts, freeStablePorts, isPortFree } from './ports.ts';
import { childExited, isAlive, readIfExists, sleep, stopChild, tailFile } from './processes.ts';
import { elapsed, type OnProgress, silentProgress } from './progress.ts';
import { ensureTlsMaterial, type TlsMaterial } from './tls-certs.ts';
import { type Watchdog, watchdogHandle } from './watchdog.ts';

export interface StartKafkaOptions {
  /** Holds cluster.json and one node-<id>/ dir per node (data, config, logs). Kept across restarts. */
  dataDir: string;
  brokers?: 1 | 3;
  /**
   * Default 9092/9093 (+100 per node; with `security` also 9094 for the internal listener); 'random' =
   * free ports (reused from a previous start when free).
   */
  ports?: 'default' | 'random' | { brokerPort: number; controllerPort: number; internalPort?: number }[];
  heapMb?: number;
  /** More JVM flags for every node (e.g. JMX or Flight Recorder switches for the bench). */
  jvmArgs?: string[];
  /** server.properties entries that replace (or add to) the defaults of kafka-config.ts, on every node. */
  properties?: [string, string][];
  /** 'fast' (default): the local stack's quick failure detection; 'stock': Kafka's own defaults. */
  timing?: BrokerTiming;
  onProgress?: OnProgress;
  /** How long to wait for every broker to answer a metadata request. */
  readyTimeoutMs?: number;
  /** Jars dir; default: ensureKafkaDist(). */
  libsDir?: string;
  /** Kills the JVMs if this process dies; default: a watchdog of its own, ended by stop(). */
  watchdog?: Watchdog;
  /** SASL/SCRAM and/or TLS on the client port; absent = PLAINTEXT, as before. See KafkaSecurityOptions. */
  security?: KafkaSecurityOptions;
  /**
   * Extra PLAINTEXT client listeners on every node, each binding a free port and advertising another
   * one per node (`advertisedPorts[nodeId - 1]`): one listener per client that reaches the brokers
   * through its own TCP proxy listening on those ports, so a fault proxy can slow or cut that client
   * alone. The brokers, the controller and `bootstrapServers` keep the direct PLAINTEXT listener.
   * Names: upper case, e.g. ORDER_1. Not combinable with `security`.
   */
  listeners?: ExtraListenerOptions[];
}

export interface ExtraListenerOptions {
  name: string;
  /** What clients of this listener are told to connect to, one port per node (on 127.0.0.1). */
  advertisedPorts: number[];
}

export interface KafkaNode {
  readonly nodeId: number;
  readonly brokerPort: number;
  readonly controllerPort: number;
  /** PLAINTEXT inter-broker listener on 127.0.0.1; only when started with `security`. */
  readonly internalPort: number | undefined;
  /** The extra client listeners (StartKafkaOptions.listeners): the port each binds and the one it advertises. */
  readonly listeners: readonly ListenerPorts[];
  readonly dataDir: string;
  /** The broker's log4j output; JVM stdout/stderr go to stdout.log next to it. */
  readonly logFile: string;
  /** Undefined while the node is stopped. */
  readonly pid: number | undefined;
}

export interface KafkaCluster {
  /** "127.0.0.1:9092,127.0.0.1:9192,…" */
  readonly bootstrapServers: string;
  readonly clusterId: string;
  readonly nodes: readonly KafkaNode[];
  /** How clients connect to bootstrapServers: PLAINTEXT unless started with `security`. */
  readonly securityProtocol: KafkaSecurityProtocol;
  /** The throwaway CA (PEM) that signed the broker certificate: what clients trust. TLS only. */
  readonly caFile: string | undefined;
  /** A client certificate and key (PEM) signed by that CA, for `tls: { clientAuth: true }`. TLS only. */
  readonly clientCertFile: string | undefined;
  readonly clientKeyFile: string | undefined;
  /**
   * The unauthenticated PLAINTEXT inter-broker listeners ("127.0.0.1:9094,…"), only with `security`.
   * Loopback only; for diagnostics — clients should use bootstrapServers.
   */
  readonly internalBootstrapServers: string | undefined;
  /**
   * SASL and TLS options for a client of this cluster, as user `user` (default: the first SCRAM user),
   * with the CA (and, with clientAuth, the client certificate) as PEM text. Empty without `security`.
   */
  clientSecurity(user?: string): KafkaClientSecurity;
  stopNode(nodeId: number, options?: { signal?: 'SIGTERM' | 'SIGKILL'; timeoutMs?: number }): Promise<void>;
  /** Starts a stopped node again and waits (default up to 60 s) until it serves metadata. */
  startNode(nodeId: number, options?: { readyTimeoutMs?: number }): Promise<void>;
  /** Stops every node (SIGTERM, SIGKILL after 30 s). Data is kept. */
  stop(): Promise<void>;
}

/** Node ports; internalPort only for a secured cluster. */
type StoredPorts = NodePorts & { internalPort?: number };

interface ClusterFile {
  clusterId: string;
  brokers: number;
  ports: StoredPorts[];
  /** SCRAM users written into the storage when it was formatted (names and salted hashes only). */
  scram?: ScramUserRecord[];
}

interface NodeState {
  nodeId: number;
  brokerPort: number;
  controllerPort: number;
  internalPort: number | undefined;
  listeners: ListenerPorts[];
  dataDir: string;
  logFile: string;
  pid: number | undefined;
  process: ChildProcess | undefined;
  /** Settles when the current process exits (one listener, however often readiness polls). */
  exited: Promise<void>;
  /** Set while we stop it on purpose, so its exit is not reported as a crash. */
  stopping: boolean;
}

interface ClusterContext {
  dataDir: string;
  java: string;
  libsDir: string;
  heapMb: number;
  jvmArgs: string[];
  nodes: NodeState[];
  watchdog: ReturnType<typeof watchdogHandle>;
  onProgress: OnProgress;
  /** How readiness probes reach the secured client listener (undefined: PLAINTEXT). */
  probeSecurity: ProbeSecurity | undefined;
}

const STOP_GRACE_MS = 30_000;
const OWNER_FILE = 'launcher.pid';

/** Two launchers on one data dir would corrupt it (both format, both write quorum state): refuse the second. */
async function claimDataDir(dataDir: string): Promise<void> {
  const owner = Number((await readIfExists(join(dataDir, OWNER_FILE)))?.trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new LocalStackError(
      'KAFKA_DATA_DIR_IN_USE',
      `${dataDir} is in use by another launcher (pid ${owner}).`,
      {
        retryable: false,
        hint: 'stop that process, or use another data dir',
      },
    );
  }
  await writeFile(join(dataDir, OWNER_FILE), String(process.pid));
}

/** Starts a local KRaft cluster (each node broker + controller) and resolves once every broker answers. */
export async function startKafka(options: StartKafkaOptions): Promise<KafkaCluster> {
  const startedAt = performance.now();
  const onProgress = options.onProgress ?? silentProgress;
  const brokers = options.brokers ?? 1;
  const dataDir = resolve(options.dataDir);
  const security = securityProtocol(options.security) === 'PLAINTEXT' ? undefined : options.security;
  validateSecurity(security);
  validateListeners(options.listeners ?? [], brokers, security !== undefined);
  const [{ java }, libsDir] = await Promise.all([
    checkJava(),
    options.libsDir ? Promise.resolve(options.libsDir) : ensureKafkaDist({ onProgress }),
  ]);
  await mkdir(dataDir, { recursive: true });
  await claimDataDir(dataDir);
  const stored = await readClusterFile(dataDir, brokers);
  const basePorts = await resolvePorts(options.ports ?? 'default', brokers, stored?.ports);
  const ports = security
    ? await resolveInternalPorts(options.ports ?? 'default', basePorts, stored?.ports)
    : basePorts;
  const clusterId = stored?.clusterId ?? newClusterId(randomBytes);
  const scram = await checkScramUsers(dataDir, ports, clusterId, stored, security);
  await writeFile(
    join(dataDir, 'cluster.json'),
    `${JSON.stringify({ clusterId, brokers, ports, ...(scram.length > 0 ? { scram } : {}) }, null, 2)}\n`,
  );
  const tls = security?.tls ? await prepareTls(dataDir) : undefined;

  const listeners = await listenerPorts(options.listeners ?? [], ports);
  const nodes = await Promise.all(
    ports.map((p) =>
      prepareNode(
        dataDir,
        p,
        ports,
        security,
        tls,
        listeners.get(p.nodeId) ?? [],
        options.properties ?? [],
        options.timing ?? 'fast',
      ),
    ),
  );
  const formatted = await Promise.all(
    nodes.map((n) =>
      formatIfNeeded(
        java,
        libsDir,
        clusterId,
        n,
        scramFormatArgs(security),
        security?.scram?.users.map((u) => u.password) ?? [],
      ),
    ),
  );
  if (formatted.some(Boolean))
    onProgress(`formatted new KRaft storage (cluster id ${clusterId}) in ${dataDir}`);
  const clientSecurity = await clientSecurityFor(security, tls);

  const watchdog = watchdogHandle(options.watchdog);
  const ctx: ClusterContext = {
    dataDir,
    java,
    libsDir,
    heapMb: options.heapMb ?? 512,
    jvmArgs: options.jvmArgs ?? [],
    nodes,
    watchdog,
    onProgress,
    probeSecurity: security ? clientSecurity() : undefined,
  };
  for (const node of nodes) launchNode(ctx, node);
  const bootstrapServers = nodes.map((n) => `127.0.0.1:${n.brokerPort}`).join(',');
  const cluster = makeCluster(ctx, clusterId, bootstrapServers, {
    securityProtocol: securityProtocol(security),
    tls,
    clientSecurity,
  });
  try {
    await waitForBrokers(
      nodes,
      nodes,
      options.readyTimeoutMs ?? (brokers === 1 ? 60_000 : 120_000),
      onProgress,
      ctx.probeSecurity,
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const secured = security ? ` (${cluster.securityProtocol})` : '';
  onProgress(
    `Kafka ready at ${bootstrapServers}${secured} in ${elapsed(startedAt)} (logs: ${nodes[0]?.logFile})`,
  );
  return cluster;
}

function makeCluster(
  ctx: ClusterContext,
  clusterId: string,
  bootstrapServers: string,
  secure: {
    securityProtocol: KafkaSecurityProtocol;
    tls: TlsMaterial | undefined;
    clientSecurity: (user?: string) => KafkaClientSecurity;
  },
) {
  const find = (nodeId: number): NodeState => {
    const node = ctx.nodes.find((n) => n.nodeId === nodeId);
    if (!node) {
      throw new LocalStackError('KAFKA_UNKNOWN_NODE', `No node ${nodeId} in this cluster.`, {
        retryable: false,
      });
    }
    return node;
  };
  const cluster: KafkaCluster = {
    bootstrapServers,
    clusterId,
    nodes: ctx.nodes,
    securityProtocol: secure.securityProtocol,
    caFile: secure.tls?.caFile,
    clientCertFile: secure.tls?.clientCertFile,
    clientKeyFile: secure.tls?.clientKeyFile,
    internalBootstrapServers:
      secure.securityProtocol === 'PLAINTEXT'
        ? undefined
        : ctx.nodes.map((n) => `127.0.0.1:${n.internalPort}`).join(','),
    clientSecurity: secure.clientSecurity,
    stopNode: (nodeId, opts = {}) => stopNode(ctx, find(nodeId), opts.signal ?? 'SIGTERM', opts.timeoutMs),
    startNode: async (nodeId, opts = {}) => {
      const node = find(nodeId);
      if (node.process) return;
      const startedAt = performance.now();
      launchNode(ctx, node);
      await waitForBrokers(
        [node],
        ctx.nodes,
        opts.readyTimeoutMs ?? 60_000,
        ctx.onProgress,
        ctx.probeSecurity,
      );
      ctx.onProgress(`node ${nodeId} back in ${elapsed(startedAt)}`);
    },
    stop: async () => {
      await Promise.all(ctx.nodes.map((n) => stopNode(ctx, n, 'SIGTERM')));
      ctx.watchdog.release();
      await rm(join(ctx.dataDir, OWNER_FILE), { force: true });
    },
  };
  return cluster;
}

async function readClusterFile(dataDir: string, brokers: number): Promise<ClusterFile | undefined> {
  const text = await readIfExists(join(dataDir, 'cluster.json'));
  if (!text) return undefined;
  const stored = JSON.parse(text) as ClusterFile;
  if (stored.brokers !== brokers) {
    throw new LocalStackError(
      'KAFKA_DATA_DIR_MISMATCH',
      `${dataDir} holds a ${stored.brokers}-node cluster, but ${brokers} node(s) were asked for.`,
      {
        retryable: false,
        hint: 'use the same --brokers as before, another data dir, or wipe it (npm run infra -- --reset)',
      },
    );
  }
  return stored;
}

async function resolvePorts(
  requested: NonNullable<StartKafkaOptions['ports']>,
  brokers: number,
  stored: NodePorts[] | undefined,
): Promise<NodePorts[]> {
  if (requested === 'random') {
    // Reusing the previous ports keeps the quorum voters and clients' bootstrap list stable across restarts.
    if (stored && (await allFree(stored))) return stored;
    const free = await freePorts(brokers * 2);
    return Array.from({ length: brokers }, (_, i) => ({
      nodeId: i + 1,
      brokerPort: free[2 * i] ?? 0,
      controllerPort: free[2 * i + 1] ?? 0,
    }));
  }
  const ports =
    requested === 'default'
      ? defaultPorts(brokers)
      : requested.map((p, i) => ({
          nodeId: i + 1,
          brokerPort: p.brokerPort,
          controllerPort: p.controllerPort,
        }));
  if (ports.length !== brokers) {
    throw new LocalStackError(
      'INVALID_ARGUMENT',
      `${ports.length} port pairs given for ${brokers} brokers.`,
      {
        retryable: false,
      },
    );
  }
  for (const p of ports) {
    for (const port of [p.brokerPort, p.controllerPort]) {
      if (!(await isPortFree(port))) {
        throw new LocalStackError('PORT_IN_USE', `Port ${port} (Kafka node ${p.nodeId}) is already in use.`, {
          retryable: true,
          hint: `is another broker or \`npm run infra\` running? (ss -ltnp | grep ${port})`,
        });
      }
    }
  }
  return ports;
}

/** The internal (inter-broker) port of each node, for a secured cluster. */
async function resolveInternalPorts(
  requested: NonNullable<StartKafkaOptions['ports']>,
  base: NodePorts[],
  stored: StoredPorts[] | undefined,
): Promise<StoredPorts[]> {
  const taken = new Set(base.flatMap((p) => [p.brokerPort, p.controllerPort]));
  const chosen: (number | undefined)[] = base.map((p, i) => {
    if (Array.isArray(requested)) return requested[i]?.internalPort;
    if (requested === 'default') return p.brokerPort + 2;
    const previous = stored?.find((s) => s.nodeId === p.nodeId);
    const sameNode = previous?.brokerPort === p.brokerPort && previous.controllerPort === p.controllerPort;
    return sameNode ? previous.internalPort : undefined;
  });
  const pinned = requested !== 'random';
  for (const [i, port] of chosen.entries()) {
    if (port === undefined) continue;
    if (!taken.has(port) && (await isPortFree(port))) {
      taken.add(port);
      continue;
    }
    if (pinned) {
      throw new LocalStackError(
        'PORT_IN_USE',
        `Port ${port} (internal listener of Kafka node ${base[i]?.nodeId}) is already in use.`,
        { retryable: true, hint: `is another broker running? (ss -ltnp | grep ${port})` },
      );
    }
    chosen[i] = undefined;
  }
  const needed = chosen.filter((p) => p === undefined).length;
  const free = (await freePorts(needed + taken.size)).filter((p) => !taken.has(p));
  return base.map((p, i) => ({ ...p, internalPort: chosen[i] ?? free.shift() ?? 0 }));
}

/**
 * SCRAM users live in the metadata log, written once when the storage is formatted. On a formatted data
 * dir the requested users must be the ones it was formatted with; returns the users to record.
 */
async function checkScramUsers(
  dataDir: string,
  ports: NodePorts[],
  clusterId: string,
  stored: ClusterFile | undefined,
  security: KafkaSecurityOptions | undefined,
): Promise<ScramUserRecord[]> {
  const requested = scramUserRecords(clusterId, security);
  const formatted = await Promise.all(
    ports.map((p) => readIfExists(join(dataDir, `node-${p.nodeId}`, 'data', 'meta.properties'))),
  );
  if (!formatted.some((text) => text !== undefined)) return requested;
  const held = stored?.scram ?? [];
  const missing = missingScramUsers(held, requested);
  if (missing.length > 0) {
    throw new LocalStackError(
      'KAFKA_DATA_DIR_MISMATCH',
      `${dataDir} was formatted without the SCRAM user(s) ${missing.join(', ')} (or with another password); ` +
        'KRaft only takes SCRAM users when the storage is formatted.',
      {
        retryable: false,
        hint: 'use the same users and passwords as before, another data dir, or wipe it (npm run infra -- --reset)',
      },
    );
  }
  return held;
}

/** The throwaway CA and broker certificate in <dataDir>/tls, and the PEM keystore Kafka reads. */
async function prepareTls(dataDir: string): Promise<TlsMaterial> {
  const tls = await ensureTlsMaterial(join(dataDir, 'tls'));
  const [key, chain] = await Promise.all([
    readFile(tls.serverKeyFile, 'utf8'),
    readFile(tls.serverCertFile, 'utf8'),
  ]);
  await writeFile(kafkaKeystoreFile(tls), `${key}${chain}`, { mode: 0o600 });
  return tls;
}

function kafkaKeystoreFile(tls: TlsMaterial): string {
  return join(tls.dir, 'kafka-keystore.pem');
}

/** Builds KafkaCluster.clientSecurity: the PEM files are read once, here. */
async function clientSecurityFor(
  security: KafkaSecurityOptions | undefined,
  tls: TlsMaterial | undefined,
): Promise<(user?: string) => KafkaClientSecurity> {
  if (!security) return () => ({});
  const clientAuth = wantsClientAuth(security);
  const [ca, cert, key] = await Promise.all([
    tls ? readFile(tls.caFile, 'utf8') : undefined,
    tls && clientAuth ? readFile(tls.clientCertFile, 'utf8') : undefined,
    tls && clientAuth ? readFile(tls.clientKeyFile, 'utf8') : undefined,
  ]);
  return (user) => {
    const result: KafkaClientSecurity = {};
    const scram = security.scram;
    if (scram) {
      const found = user === undefined ? scram.users[0] : scram.users.find((u) => u.name === user);
      if (!found) {
        throw new LocalStackError('INVALID_ARGUMENT', `No SCRAM user "${user}" in this cluster.`, {
          retryable: false,
        });
      }
      result.sasl = { mechanism: scram.mechanism, username: found.name, password: found.password };
    }
    if (ca) result.tls = { ca, ...(cert && key ? { cert, key } : {}) };
    return result;
  };
}

function validateListeners(listeners: ExtraListenerOptions[], brokers: number, secured: boolean): void {
  if (listeners.length === 0) return;
  const invalid = (message: string) => new LocalStackError('INVALID_ARGUMENT', message, { retryable: false });
  if (secured) throw invalid('Extra listeners cannot be combined with `security` (PLAINTEXT only).');
  const names = new Set<string>();
  for (const l of listeners) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(l.name) || ['PLAINTEXT', 'CONTROLLER', 'INTERNAL'].includes(l.name)) {
      throw invalid(
        `Invalid listener name ${l.name}: upper case, digits, _; not PLAINTEXT/CONTROLLER/INTERNAL.`,
      );
    }
    if (names.has(l.name)) throw invalid(`Listener ${l.name} given twice.`);
    names.add(l.name);
    if (l.advertisedPorts.length !== brokers) {
      throw invalid(
        `Listener ${l.name} has ${l.advertisedPorts.length} advertised ports for ${brokers} node(s).`,
      );
    }
  }
}

/**
 * Free ports for every node's extra listeners (chosen at each start; a node restart reuses its
 * config, so they are outside the ephemeral range: no outgoing connection takes one meanwhile).
 */
async function listenerPorts(
  listeners: ExtraListenerOptions[],
  nodes: NodePorts[],
): Promise<Map<number, ListenerPorts[]>> {
  const taken = new Set(nodes.flatMap((n) => [n.brokerPort, n.controllerPort]));
  const wanted = listeners.length * nodes.length;
  const free = wanted === 0 ? [] : (await freeStablePorts(wanted + taken.size)).filter((p) => !taken.has(p));
  return new Map(
    nodes.map((n, i) => [
      n.nodeId,
      listeners.map((l) => ({
        name: l.name,
        port: free.shift() ?? 0,
        advertisedPort: l.advertisedPorts[i] ?? 0,
      })),
    ]),
  );
}

async function allFree(ports: NodePorts[]): Promise<boolean> {
  const checks = await Promise.all(
    ports.flatMap((p) => [isPortFree(p.brokerPort), isPortFree(p.controllerPort)]),
  );
  return checks.every(Boolean);
}

async function prepareNode(
  dataDir: string,
  ports: StoredPorts,
  all: NodePorts[],
  security: KafkaSecurityOptions | undefined,
  tls: TlsMaterial | undefined,
  listeners: ListenerPorts[],
  overrides: [string, string][],
  timing: BrokerTiming,
): Promise<NodeState> {
  const nodeDir = join(dataDir, `node-${ports.nodeId}`);
  const logsDir = join(nodeDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  // Config is rewritten on every start so port or setting changes apply; the data under data/ is kept.
  const plain = brokerProperties({
    node: { nodeId: ports.nodeId, brokerPort: ports.brokerPort, controllerPort: ports.controllerPort },
    all: all.map((p) => ({ nodeId: p.nodeId, brokerPort: p.brokerPort, controllerPort: p.controllerPort })),
    logDir: join(nodeDir, 'data'),
    listeners,
    timing,
  });
  const props =
    security && ports.internalPort !== undefined
      ? withOverrides(
          plain,
          secureListenerProperties({
            node: { ...ports, internalPort: ports.internalPort },
            security,
            ...(tls ? { keystoreFile: kafkaKeystoreFile(tls), truststoreFile: tls.caFile } : {}),
          }),
        )
      : plain;
  await writeFile(join(nodeDir, 'server.properties'), toPropertiesFile(withOverrides(props, overrides)));
  await writeFile(join(nodeDir, 'log4j2.properties'), log4j2Properties(logsDir));
  return {
    nodeId: ports.nodeId,
    brokerPort: ports.brokerPort,
    controllerPort: ports.controllerPort,
    internalPort: security ? ports.internalPort : undefined,
    listeners,
    dataDir: nodeDir,
    logFile: join(logsDir, 'server.log'),
    pid: undefined,
    process: undefined,
    exited: Promise.resolve(),
    stopping: false,
  };
}

/** Formats KRaft storage on first start only; returns whether it did. */
async function formatIfNeeded(
  java: string,
  libsDir: string,
  clusterId: string,
  node: NodeState,
  /** e.g. --add-scram 'SCRAM-SHA-512=[name="svc",password="…"]'. */
  extraArgs: string[] = [],
  /** Removed from any error output. */
  secrets: string[] = [],
): Promise<boolean> {
  const metaFile = join(node.dataDir, 'data', 'meta.properties');
  if (await readIfExists(metaFile)) return false;
  const config = join(node.dataDir, 'server.properties');
  const args = [
    '-Xmx256m',
    '-cp',
    `${libsDir}/*`,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    ...extraArgs,
  ];
  const output = await new Promise<{ code: number | null; text: string }>((done) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c));
    child.stderr.on('data', (c: Buffer) => (text += c));
    child.on('error', (e) => done({ code: -1, text: e.message }));
    child.on('close', (code) => done({ code, text }));
  });
  if (output.code !== 0) {
    const text = secrets.reduce((t, secret) => t.replaceAll(secret, '***'), output.text);
    throw new LocalStackError('KAFKA_FORMAT_FAILED', `Formatting ${node.dataDir} failed:\n${text}`, {
      retryable: false,
      hint: 'wipe the data dir (npm run infra -- --reset) if it holds a half-formatted cluster',
    });
  }
  return true;
}

function launchNode(ctx: ClusterContext, node: NodeState): void {
  const heap = ctx.heapMb;
  const stdoutLog = join(node.dataDir, 'logs', 'stdout.log');
  const args = [
    `-Xmx${heap}m`,
    `-Xms${Math.min(128, heap)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(node.dataDir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${join(node.dataDir, 'logs')}`,
    ...ctx.jvmArgs,
    '-cp',
    `${ctx.libsDir}/*`,
    'kafka.Kafka',
    join(node.dataDir, 'server.properties'),
  ];
  const out = openSync(stdoutLog, 'a');
  // Detached: Ctrl-C in the terminal reaches only the launcher, which stops things in order.
  const child = spawn(ctx.java, args, { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  child.unref();
  node.process = child;
  node.pid = child.pid;
  node.stopping = false;
  node.exited = childExited(child);
  if (child.pid) ctx.watchdog.watch(child.pid, { signal: 'SIGTERM' });
  child.once('exit', (code, signal) => {
    if (child.pid) ctx.watchdog.unwatch(child.pid);
    if (!node.stopping) {
      ctx.onProgress(
        `Kafka node ${node.nodeId} exited unexpectedly (${signal ?? `code ${code}`}); see ${node.logFile}`,
      );
    }
    if (node.process === child) {
      node.process = undefined;
      node.pid = undefined;
    }
  });
}

async function stopNode(
  ctx: ClusterContext,
  node: NodeState,
  signal: 'SIGTERM' | 'SIGKILL',
  timeoutMs = STOP_GRACE_MS,
): Promise<void> {
  const child = node.process;
  if (!child) return;
  node.stopping = true;
  const how = await stopChild(child, { signal, graceMs: timeoutMs });
  if (how === 'killed') ctx.onProgress(`node ${node.nodeId} ignored SIGTERM for ${timeoutMs} ms; SIGKILLed`);
}

/** Polls with a real metadata request until every node in `expect` is listed, or fails with the log tail. */
async function waitForBrokers(
  expect: NodeState[],
  all: NodeState[],
  timeoutMs: number,
  onProgress: OnProgress,
  security?: ProbeSecurity,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const bootstrap = expect.map((n) => `127.0.0.1:${n.brokerPort}`);
  let lastError = '';
  let nextNote = Date.now() + 5000;
  while (Date.now() < deadline) {
    const dead = expect.find((n) => !n.process);
    if (dead) {
      throw new LocalStackError('KAFKA_START_FAILED', await deathReport(dead), { retryable: false });
    }
    try {
      const ids = await probeBrokers(bootstrap, 3000, security);
      // The full set, when starting the cluster; just this node, when restarting one.
      const want = expect.length === 1 && all.length > 1 ? [expect[0]?.nodeId] : all.map((n) => n.nodeId);
      if (want.every((id) => id !== undefined && ids.includes(id))) return;
      lastError = `brokers registered so far: [${ids.join(',')}]`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > nextNote) {
      onProgress(`waiting for Kafka (${lastError})`);
      nextNote = Date.now() + 5000;
    }
    await Promise.race([sleep(300), ...expect.map((n) => n.exited)]);
  }
  const tails = await Promise.all(
    expect.map(async (n) => `--- ${n.logFile}\n${await tailFile(n.logFile, 20)}`),
  );
  throw new LocalStackError(
    'KAFKA_NOT_READY',
    `Kafka did not answer metadata within ${timeoutMs} ms (last: ${lastError}).\n${tails.join('\n')}`,
    { retryable: true, hint: 'a busy machine may need more time; see the log files above' },
  );
}

async function deathReport(node: NodeState): Promise<string> {
  const stdoutLog = join(node.dataDir, 'logs', 'stdout.log');
  const [log, out] = await Promise.all([tailFile(node.logFile, 25), tailFile(stdoutLog, 10)]);
  return `Kafka node ${node.nodeId} exited during start-up.\n--- ${node.logFile}\n${log}\n--- ${stdoutLog}\n${out}`;
}

/** The cluster id stored in a data dir, if any (for tools that want to show it). */
export async function storedClusterId(dataDir: string): Promise<string | undefined> {
  const text = await readFile(join(dataDir, 'cluster.json'), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as ClusterFile).clusterId : undefined;
}
