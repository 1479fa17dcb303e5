/** Ports of one KRaft node (combined broker + controller). */
export interface NodePorts {
  nodeId: number;
  brokerPort: number;
  controllerPort: number;
}

/** Fixed ports for humans: 9092/9093 for node 1, then +100 per node (9192/9193, 9292/9293). */
export function defaultPorts(brokers: number): NodePorts[] {
  return Array.from({ length: brokers }, (_, i) => ({
    nodeId: i + 1,
    brokerPort: 9092 + 100 * i,
    controllerPort: 9093 + 100 * i,
  }));
}

/** One extra PLAINTEXT client listener of a node: it binds `port` and tells clients `advertisedPort`. */
export interface ListenerPorts {
  name: string;
  port: number;
  advertisedPort: number;
}

/**
 * Fast failure detection for tests and the local stack: a dead member's partitions move after 10 s
 * instead of Kafka's 45 s, a dead broker is fenced after 4 s instead of 9 s. `timing: 'stock'` leaves
 * all of it out, so a stack runs on Kafka's own defaults as production clusters do.
 */
export const FAST_FAILURE_DETECTION: [string, string][] = [
  // A classic group's first rebalance waits for more members (default 3 s); tests start at once.
  ['group.initial.rebalance.delay.ms', '0'],
  // Fast failure detection for tests. The min.* bounds default to 5 s / 45 s, so lower them too.
  ['group.consumer.min.heartbeat.interval.ms', '1000'],
  ['group.consumer.heartbeat.interval.ms', '1000'],
  ['group.consumer.min.session.timeout.ms', '10000'],
  ['group.consumer.session.timeout.ms', '10000'],
  // With the assignor offloaded (4.4 default) a new member's first heartbeat returns an empty
  // assignment and partitions arrive one heartbeat later; computing it inline assigns at once.
  ['group.consumer.assignor.offload.enable', 'false'],
  ['group.share.min.heartbeat.interval.ms', '1000'],
  ['group.share.heartbeat.interval.ms', '1000'],
  ['group.share.min.session.timeout.ms', '10000'],
  ['group.share.session.timeout.ms', '10000'],
  // Classic-protocol clients may ask for short sessions too (default minimum 6 s).
  ['group.min.session.timeout.ms', '1000'],
  // After a SIGKILL the node cannot re-register until its old broker session expires (default 9 s);
  // fault tests kill brokers, so expire sooner. Heartbeats must stay well below the timeout.
  ['broker.heartbeat.interval.ms', '500'],
  ['broker.session.timeout.ms', '4000'],
];

/** Which failure detection a broker runs: the local stack's fast one, or Kafka's own defaults. */
export type BrokerTiming = 'fast' | 'stock';

/** The server.properties of one node as ordered key/value pairs. */
export function brokerProperties(args: {
  node: NodePorts;
  all: NodePorts[];
  logDir: string;
  /** Extra client listeners (e.g. reached through TCP proxies); the broker itself keeps PLAINTEXT. */
  listeners?: ListenerPorts[];
  /** Default 'fast' (FAST_FAILURE_DETECTION). */
  timing?: BrokerTiming;
}): [string, string][] {
  const { node, all } = args;
  const extra = args.listeners ?? [];
  const single = all.length === 1;
  const replication = single ? '1' : '3';
  const minIsr = single ? '1' : '2';
  return [
    ['process.roles', 'broker,controller'],
    ['node.id', String(node.nodeId)],
    // Static quorum: no --standalone/--initial-controllers at format time, every node lists every voter.
    ['controller.quorum.voters', all.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',')],
    [
      'listeners',
      [
        `PLAINTEXT://127.0.0.1:${node.brokerPort}`,
        `CONTROLLER://127.0.0.1:${node.controllerPort}`,
        ...extra.map((l) => `${l.name}://127.0.0.1:${l.port}`),
      ].join(','),
    ],
    [
      'advertised.listeners',
      [
        `PLAINTEXT://127.0.0.1:${node.brokerPort}`,
        ...extra.map((l) => `${l.name}://127.0.0.1:${l.advertisedPort}`),
      ].join(','),
    ],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    [
      'listener.security.protocol.map',
      ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...extra.map((l) => `${l.name}:PLAINTEXT`)].join(','),
    ],
    ['log.dirs', args.logDir],
    // Internal topics default to RF 3 / min ISR 2, which a single node can never satisfy.
    ['offsets.topic.replication.factor', replication],
    ['transaction.state.log.replication.factor', replication],
    ['transaction.state.log.min.isr', minIsr],
    ['share.coordinator.state.topic.replication.factor', replication],
    ['share.coordinator.state.topic.min.isr', minIsr],
    ['default.replication.factor', replication],
    ['min.insync.replicas', minIsr],
    // Fewer partitions = faster first group coordinator load on a small machine (default 50).
    ['offsets.topic.num.partitions', '3'],
    ['transaction.state.log.num.partitions', '3'],
    ['num.partitions', '3'],
    ['auto.create.topics.enable', 'false'],
    // The default 128 MiB dedupe buffer is allocated on-heap at start-up; 16 MiB is plenty here.
    ['log.cleaner.dedupe.buffer.size', '16777216'],
    // KIP-848 consumer protocol (default in 4.x, listed explicitly so nobody narrows it by accident).
    ['group.coordinator.rebalance.protocols', 'classic,consumer,streams'],
    ...(args.timing === 'stock' ? [] : FAST_FAILURE_DETECTION),
    // One network thread and two request handlers instead of 3 and 8: on a small machine each request
    // then wakes fewer threads. Measured at 100 orders/s: the broker's CPU per order 3.3 → 2.9 ms and
    // the p99 accepted → notified 130 → 68 ms (docs/performance.md, "Cost per order").
    ['num.network.threads', '1'],
    ['num.io.threads', '2'],
    // Small segments keep a throwaway data dir small; plenty for local volumes.
    ['log.segment.bytes', String(64 * 1024 * 1024)],
  ];
}

export function toPropertiesFile(pairs: [string, string][]): string {
  return `# Written by @kafka-poc/local-stack on every start; edits are overwritten.\n${pairs
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** log4j2 config: broker logs to <logsDir>/server.log (not stdout), a little quieter than Kafka's default. */
export function log4j2Properties(logsDir: string): string {
  return [
    'status = warn',
    // Kafka's shutdown hook logs after log4j's own hook has run; keep log4j alive until the JVM ends.
    'shutdownHook = disable',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logsDir}/server.log`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRefs = file',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    'logger.state.name = state.change.logger',
    'logger.state.level = WARN',
    'logger.cleaner.name = kafka.log.LogCleaner',
    'logger.cleaner.level = WARN',
    '',
  ].join('\n');
}

/** A Kafka cluster id: 16 random bytes, base64url, 22 chars (same shape as Uuid.randomUuid()). */
export function newClusterId(randomBytes: (n: number) => Buffer): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka rejects ids that start with '-' (they look like CLI flags).
    if (!id.startsWith('-')) return id;
  }
}
