// The compose files loaded by compose-go (the library `docker compose` is built on: Compose
// specification schema, interpolation with the files' defaults, override merging, profiles) for each
// supported combination, then checked for what the issue asks: KRaft-only Kafka, healthchecks and
// `service_healthy` dependencies everywhere (`service_completed_successfully` on a one-shot job),
// restart policies, scalable services without container_name or fixed host ports, the database setup
// before the apps, each app on its own database role, and app environments the apps accept.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DB_ROLE, SERVICE_DATA } from '@kafka-poc/contracts';
import { checkAppEnvironment } from './app-env.ts';
import { runOrThrow } from './exec.ts';
import { appName, REPO_ROOT, type Workspace } from './workspaces.ts';

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string | null> };
  container_name?: string;
  restart?: string;
  profiles?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[]; disable?: boolean };
  command?: string[] | null;
  depends_on?: Record<string, { condition?: string }>;
  ports?: { target: number; published?: string; host_ip?: string }[];
  volumes?: { type: string; source?: string; target: string }[];
}

export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface ComposeVariant {
  label: string;
  files: string[];
  profiles: string[];
  /** Services that must scale (`--scale name=N`): no container_name, no fixed host port. */
  scalable: string[];
  brokers: 1 | 3;
}

export const COMPOSE_VARIANTS: ComposeVariant[] = [
  {
    label: 'docker-compose.yml',
    files: ['docker-compose.yml'],
    profiles: [],
    scalable: ['inventory-service', 'notification-service'],
    brokers: 1,
  },
  {
    label: 'docker-compose.yml --profile ui',
    files: ['docker-compose.yml'],
    profiles: ['ui'],
    scalable: ['inventory-service', 'notification-service'],
    brokers: 1,
  },
  {
    label: '+ docker-compose.cluster.yml --profile ui',
    files: ['docker-compose.yml', 'docker-compose.cluster.yml'],
    profiles: ['ui'],
    scalable: ['inventory-service', 'notification-service'],
    brokers: 3,
  },
  {
    label: 'docker-compose.yml --profile observability',
    files: ['docker-compose.yml'],
    profiles: ['observability'],
    scalable: ['inventory-service', 'notification-service'],
    brokers: 1,
  },
  {
    label: '+ docker-compose.scale.yml',
    files: ['docker-compose.yml', 'docker-compose.scale.yml'],
    profiles: [],
    scalable: ['order-service', 'inventory-service', 'notification-service'],
    brokers: 1,
  },
  {
    label: '+ docker-compose.cluster.yml + docker-compose.scale.yml --profile ui',
    files: ['docker-compose.yml', 'docker-compose.cluster.yml', 'docker-compose.scale.yml'],
    profiles: ['ui'],
    scalable: ['order-service', 'inventory-service', 'notification-service'],
    brokers: 3,
  },
];

export function loadCompose(
  goTool: string,
  variant: ComposeVariant,
  root: string = REPO_ROOT,
): ComposeProject {
  const args = ['compose', ...variant.files.flatMap((f) => ['-f', join(root, f)])];
  for (const p of variant.profiles) args.push('-p', p);
  return JSON.parse(runOrThrow(goTool, args)) as ComposeProject;
}

const env = (s: ComposeService, key: string) => s.environment?.[key] ?? undefined;

/** A Kafka cluster id as the broker wants it: 16 bytes, base64url without padding. */
export function isValidClusterId(id: string): boolean {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return false;
  return Buffer.from(id, 'base64url').toString('base64url') === id;
}

/** A job that runs once and exits (the database setup): `restart: "no"`, no published port. */
export function isOneShot(s: ComposeService | undefined): boolean {
  return s?.restart === 'no' && !(s.ports ?? []).length;
}

/** The database role each app connects as (docs/architecture.md, "Layers and data ownership"). */
const APP_DB_ROLES: Record<string, string> = {
  ...Object.fromEntries(Object.values(SERVICE_DATA).map((d) => [d.service, d.role])),
  console: CONSOLE_DB_ROLE,
};

function userOf(address: string): string {
  const m = /^[a-z]+:\/\/([^:@/]*)[:@]/i.exec(address);
  return m ? decodeURIComponent(m[1] ?? '') : '';
}

function hostOf(address: string): string {
  return (
    address
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/^[^@]*@/, '')
      .split(/[:/]/)[0] ?? ''
  );
}

export async function checkCompose(
  project: ComposeProject,
  variant: ComposeVariant,
  apps: Workspace[],
  root: string = REPO_ROOT,
): Promise<string[]> {
  const problems: string[] = [];
  const services = project.services;
  const names = Object.keys(services);
  const say = (service: string, what: string) => problems.push(`${service}: ${what}`);

  const kafkas = names.filter((n) => /(^|\/)apache\/kafka:/.test(services[n]?.image ?? ''));
  if (kafkas.length !== variant.brokers)
    problems.push(`expected ${variant.brokers} apache/kafka services, found ${kafkas.length}`);
  for (const [name, s] of Object.entries(services)) {
    if (/zookeeper/i.test(`${name} ${s.image ?? ''}`) || env(s, 'KAFKA_ZOOKEEPER_CONNECT')) {
      say(name, 'ZooKeeper has no place here: Kafka runs in KRaft mode');
    }
    if (s.container_name) say(name, 'container_name prevents scaling and parallel projects');
    if (!isOneShot(s)) {
      if (s.restart !== 'unless-stopped')
        say(name, `restart is ${s.restart ?? 'unset'}, expected unless-stopped`);
      if (!s.healthcheck?.test?.length || s.healthcheck.disable) say(name, 'no healthcheck');
    }
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      const wanted = isOneShot(services[dep]) ? 'service_completed_successfully' : 'service_healthy';
      if (d.condition !== wanted) say(name, `depends_on ${dep} without condition: ${wanted}`);
      if (!services[dep]) say(name, `depends_on ${dep}, which is not a service here`);
    }
    if (variant.scalable.includes(name)) {
      for (const p of s.ports ?? []) {
        if (p.published) say(name, `publishes fixed host port ${p.published}: --scale ${name}=N would fail`);
      }
    }
  }
  for (const name of variant.scalable) if (!services[name]) say(name, 'missing');

  // Kafka: KRaft nodes forming one quorum, with the durability settings of the variant.
  const expect = variant.brokers === 3 ? { rf: '3', isr: '2' } : { rf: '1', isr: '1' };
  const ids = new Set<string>();
  const clusterIds = new Set<string>();
  for (const name of kafkas) {
    const s = services[name] as ComposeService;
    if (!/^(docker\.io\/)?apache\/kafka:4\.4\.\d+$/.test(s.image ?? ''))
      say(name, `image ${s.image}, expected apache/kafka:4.4.x`);
    const roles = env(s, 'KAFKA_PROCESS_ROLES') ?? '';
    if (!roles.includes('controller') || !roles.includes('broker'))
      say(name, 'expected KAFKA_PROCESS_ROLES=broker,controller (KRaft)');
    const id = env(s, 'KAFKA_NODE_ID') ?? '';
    if (ids.has(id)) say(name, `duplicate KAFKA_NODE_ID ${id}`);
    ids.add(id);
    const cid = env(s, 'CLUSTER_ID') ?? '';
    clusterIds.add(cid);
    if (!isValidClusterId(cid)) say(name, `CLUSTER_ID ${cid} is not 16 bytes in base64url (22 characters)`);
    const voters = (env(s, 'KAFKA_CONTROLLER_QUORUM_VOTERS') ?? '').split(',').filter(Boolean);
    if (voters.length !== variant.brokers)
      say(name, `quorum has ${voters.length} voters, expected ${variant.brokers}`);
    for (const v of voters) {
      const m = /^(\d+)@([^:]+):\d+$/.exec(v);
      if (!m || !kafkas.includes(m[2] as string))
        say(name, `quorum voter ${v} is not one of ${kafkas.join(', ')}`);
    }
    const checks: [string, string][] = [
      ['KAFKA_DEFAULT_REPLICATION_FACTOR', expect.rf],
      ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', expect.rf],
      ['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', expect.rf],
      ['KAFKA_MIN_INSYNC_REPLICAS', expect.isr],
      ['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', expect.isr],
      ['KAFKA_AUTO_CREATE_TOPICS_ENABLE', 'false'],
    ];
    for (const [key, value] of checks) {
      if (env(s, key) !== value) say(name, `${key}=${env(s, key) ?? 'unset'}, expected ${value}`);
    }
    const advertised = env(s, 'KAFKA_ADVERTISED_LISTENERS') ?? '';
    if (!advertised.includes(`PLAINTEXT://${name}:9092`))
      say(name, `advertises ${advertised}, expected PLAINTEXT://${name}:9092 inside the network`);
    if (!(s.volumes ?? []).some((v) => v.type === 'volume' && v.target === env(s, 'KAFKA_LOG_DIRS'))) {
      say(name, 'KAFKA_LOG_DIRS is not on a named volume');
    }
  }
  if (clusterIds.size > 1) problems.push(`brokers disagree on CLUSTER_ID: ${[...clusterIds].join(', ')}`);

  // PostgreSQL on a named volume, at the path its image version keeps data in.
  const postgres = names.filter(
    (n) => /(^|\/)postgres:/.test(services[n]?.image ?? '') && !isOneShot(services[n]),
  );
  if (postgres.length !== 1) problems.push(`expected one postgres service, found ${postgres.length}`);
  for (const name of postgres) {
    const s = services[name] as ComposeService;
    const major = Number(/postgres:(\d+)/.exec(s.image ?? '')?.[1] ?? 0);
    const dataPath = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
    const volume = (s.volumes ?? []).find((v) => v.target === dataPath);
    if (volume?.type !== 'volume' || !volume.source || !project.volumes?.[volume.source]) {
      say(name, `data must be on a named volume at ${dataPath} (postgres:${major || '?'})`);
    }
  }

  // The database setup: a one-shot job running deploy/postgres/setup.sql against the postgres service.
  const setups = names.filter((n) =>
    (services[n]?.volumes ?? []).some(
      (v) => v.type === 'bind' && v.source?.endsWith(join('deploy', 'postgres', 'setup.sql')),
    ),
  );
  if (setups.length !== 1)
    problems.push(`expected one service running deploy/postgres/setup.sql, found ${setups.length}`);
  for (const name of setups) {
    const s = services[name] as ComposeService;
    if (!isOneShot(s)) say(name, 'the database setup should be a one-shot job (restart: "no", no ports)');
    for (const p of postgres) if (!s.depends_on?.[p]) say(name, `does not wait for ${p}`);
    if (!(s.command ?? []).join(' ').includes('setup.sql')) say(name, 'its command does not run setup.sql');
  }

  // The apps: built from the Dockerfile, reachable, configured with values they accept.
  const built = names.filter((n) => services[n]?.build);
  const appNames = apps.map(appName);
  for (const app of appNames) if (!built.includes(app)) problems.push(`${app}: no service builds it`);
  for (const name of built) {
    const s = services[name] as ComposeService;
    const appArg = s.build?.args?.APP ?? '';
    const app = apps.find((a) => appName(a) === appArg);
    if (!app) {
      say(name, `build arg APP=${appArg} is not an app (${appNames.join(', ')})`);
      continue;
    }
    if (!existsSync(join(root, s.build?.context ?? '.', s.build?.dockerfile ?? 'Dockerfile')))
      say(name, 'its Dockerfile does not exist');
    if (env(s, 'HOST') !== '0.0.0.0') say(name, 'HOST must be 0.0.0.0 inside a container');
    const port = env(s, 'PORT');
    const test = s.healthcheck?.test?.join(' ') ?? '';
    if (!test.includes(`:${port}/health/ready`))
      say(name, `healthcheck does not GET /health/ready on PORT ${port}`);
    const brokers = (env(s, 'KAFKA_BROKERS') ?? '').split(',').filter(Boolean);
    for (const b of brokers)
      if (!kafkas.includes(hostOf(b))) say(name, `KAFKA_BROKERS ${b} is not a Kafka service`);
    if (brokers.length !== variant.brokers)
      say(name, `KAFKA_BROKERS lists ${brokers.length} brokers, expected ${variant.brokers}`);
    if (env(s, 'KAFKA_REPLICATION_FACTOR') !== expect.rf)
      say(name, `KAFKA_REPLICATION_FACTOR should be ${expect.rf}`);
    for (const k of kafkas) if (!s.depends_on?.[k]) say(name, `does not wait for ${k}`);
    const dbHost = hostOf(env(s, 'DATABASE_URL') ?? '');
    if (!postgres.includes(dbHost)) say(name, `DATABASE_URL points at ${dbHost}, not the postgres service`);
    else if (!s.depends_on?.[dbHost]) say(name, `does not wait for ${dbHost}`);
    const dbUser = userOf(env(s, 'DATABASE_URL') ?? '');
    if (APP_DB_ROLES[appArg] && dbUser !== APP_DB_ROLES[appArg])
      say(name, `DATABASE_URL connects as ${dbUser || '?'}, expected its own role ${APP_DB_ROLES[appArg]}`);
    for (const setup of setups) if (!s.depends_on?.[setup]) say(name, `does not wait for ${setup}`);
    for (const p of await checkAppEnvironment(app, s.environment ?? {}, { root })) say(name, p);
  }

  // The console on 8080 and order-service on 8000 unless the gateway took it (docker-compose.scale.yml).
  const published = (n: string) => (services[n]?.ports ?? []).map((p) => p.published).filter(Boolean);
  if (!published('console').includes('8080')) say('console', 'should be published on host port 8080');
  const orderHost = variant.scalable.includes('order-service') ? 'order-gateway' : 'order-service';
  if (!published(orderHost).includes('8000'))
    say(orderHost, 'should publish host port 8000 (order-service, as in the original)');

  const ui = names.filter((n) => /kafbat\/kafka-ui/.test(services[n]?.image ?? ''));
  if (variant.profiles.includes('ui') && ui.length !== 1)
    problems.push('--profile ui should add the kafbat/kafka-ui service');
  if (!variant.profiles.includes('ui') && ui.length > 0)
    problems.push('kafka-ui should only run with --profile ui');
  for (const name of ui) {
    if (!services[name]?.profiles?.includes('ui')) say(name, 'should be under profile ui');
    const bootstrap = (
      env(services[name] as ComposeService, 'KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS') ?? ''
    ).split(',');
    if (bootstrap.length !== variant.brokers)
      say(name, `bootstrap servers ${bootstrap.join(',')} do not list every broker`);
  }
  checkObservabilityProfile(services, variant, problems, say);
  return problems;
}

/** Prometheus and Grafana come only with --profile observability, with their config mounted. */
function checkObservabilityProfile(
  services: Record<string, ComposeService>,
  variant: ComposeVariant,
  problems: string[],
  say: (name: string, problem: string) => void,
): void {
  const wanted = variant.profiles.includes('observability');
  for (const name of ['prometheus', 'grafana']) {
    const s = services[name];
    if (wanted && !s) problems.push(`--profile observability should add ${name}`);
    if (!wanted && s) problems.push(`${name} should only run with --profile observability`);
    if (!s) continue;
    for (const volume of s.volumes ?? []) {
      if (volume.type === 'bind' && volume.source && !existsSync(volume.source))
        say(name, `mounts ${volume.source}, which does not exist`);
    }
  }
}
