export {
  APP_NODE_FLAGS,
  BUNDLE_EXTERNALS,
  BUNDLE_FILE,
  type BundleResult,
  bundleApp,
  bundleApps,
  FULL_MAP_FILE,
  isOwnSource,
  ownSourcesOnly,
  type RawSourceMap,
} from './app-bundle.ts';
export {
  LOCAL_DATABASE_LAYOUT,
  localRoles,
  roleDatabaseUrl,
  setUpLocalDatabase,
  setUpLocalRoles,
} from './database-setup.ts';
export { formatCliError, LocalStackError, type LocalStackErrorCode } from './errors.ts';
export { findRunningInfra, type InfraInfo, type RunningInfra, redact, startInfra } from './infra-runner.ts';
export {
  envLines,
  type InfraClientEnv,
  type InfraKafkaSecurity,
  parseInfraKafkaSecurity,
} from './infra-security.ts';
export { checkJava, parseJavaMajor } from './java.ts';
export {
  type ExtraListenerOptions,
  type KafkaCluster,
  type KafkaNode,
  type StartKafkaOptions,
  startKafka,
} from './kafka-broker.ts';
export type { BrokerTiming, ListenerPorts } from './kafka-config.ts';
export { ensureKafkaDist, type KafkaDistOptions, kafkaDistLocation } from './kafka-dist.ts';
export { type ProbeSecurity, probeBrokers, warmUpGroupCoordinator } from './kafka-readiness.ts';
export type {
  KafkaClientSecurity,
  KafkaSecurityOptions,
  KafkaSecurityProtocol,
  ScramMechanism,
} from './kafka-security.ts';
export { dataRoot, infraFile, repoRoot } from './paths.ts';
export { ephemeralPortRange, freePort, freePorts, freeStablePorts, isPortFree } from './ports.ts';
export { type PostgresServer, type StartPostgresOptions, startPostgres } from './postgres.ts';
export { isAlive, sleep, stopChild, waitForPidExit } from './processes.ts';
export { type OnProgress, printProgress } from './progress.ts';
export { type ExitInfo, ServiceProcess, type ServiceProcessOptions } from './service-process.ts';
export {
  appCommand,
  buildApps,
  databaseRoleOf,
  findService,
  instanceId,
  instancePort,
  SERVICES,
  type ServiceDefinition,
  serviceEnv,
} from './services.ts';
export { ensureTlsMaterial, type TlsMaterial } from './tls-certs.ts';
export {
  ensureToxiproxy,
  type StartToxiproxyOptions,
  startToxiproxy,
  TOXIPROXY_VERSION,
  type ToxiproxyServer,
  toxiproxyLocation,
} from './toxiproxy.ts';
export { startWatchdog, type Watchdog, type WatchdogOptions, type WatchOptions } from './watchdog.ts';
