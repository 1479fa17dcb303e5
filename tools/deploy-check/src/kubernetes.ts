// The Kubernetes manifests: each kustomization rendered by kustomize (the library behind
// `kubectl apply -k`), every resource validated against the Kubernetes API JSON schemas of the
// supported releases (kubernetes-validate, strict: unknown fields are errors), then cross-checked:
// probes on the health endpoints, resource requests, config the apps accept, Services and budgets
// that select the Deployments, and the Strimzi / CloudNativePG examples the config points at.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSOLE_DB_ROLE, deadLetterTopic, SERVICE_DATA, TOPICS } from '@kafka-poc/contracts';
import { checkAppEnvironment } from './app-env.ts';
import { run, runOrThrow } from './exec.ts';
import { appName, REPO_ROOT, type Workspace } from './workspaces.ts';

/** Releases validated against: the oldest we support and the newest the schemas know. */
export const KUBERNETES_VERSIONS = ['1.33.0', '1.37.0'];

/** Kustomizations rendered, and plain files validated as they are. */
export const KUSTOMIZATIONS = [
  'deploy/k8s/base',
  'deploy/k8s/examples/strimzi',
  'deploy/k8s/examples/cloudnative-pg',
  'deploy/k8s/overlays/example',
];
export const PLAIN_MANIFESTS = ['deploy/k8s/examples/secrets.example.yaml'];
/** The overlay whose rendering must be a complete, consistent installation. */
export const FULL_OVERLAY = 'deploy/k8s/overlays/example';

/** Operator kinds that have no schema in the Kubernetes API; checked by the rules below instead. */
export const CUSTOM_KINDS = [
  'kafka.strimzi.io/v1 Kafka',
  'kafka.strimzi.io/v1 KafkaNodePool',
  'kafka.strimzi.io/v1 KafkaTopic',
  'postgresql.cnpg.io/v1 Cluster',
];

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped JSON
type Resource = Record<string, any>;

export function renderKustomization(goTool: string, dir: string, format: 'yaml' | 'json'): string {
  return runOrThrow(goTool, ['kustomize', '-o', format, join(REPO_ROOT, dir)]);
}

/** Runs kubernetes-validate --strict on a YAML file for every supported release. */
export function validateSchemas(
  kubernetesValidate: string,
  file: string,
  label: string,
): { problems: string[]; validated: number } {
  const problems: string[] = [];
  let validated = 0;
  for (const version of KUBERNETES_VERSIONS) {
    const result = run(kubernetesValidate, ['--strict', '-k', version, file]);
    for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
      if (line.startsWith('INFO ')) validated++;
      else if (line.startsWith('WARN ')) {
        const m = /kind (\S+) with api version (\S+)/.exec(line);
        if (!m || !CUSTOM_KINDS.includes(`${m[2]} ${m[1]}`))
          problems.push(`${label} (${version}): ${line.slice(5).replace(file, '').trim()}`);
      } else if (/^(ERROR|FATAL) /.test(line))
        problems.push(`${label} (${version}): ${line.replace(file, '').trim()}`);
    }
    if (result.status !== 0 && problems.length === 0)
      problems.push(`${label}: kubernetes-validate exited with ${result.status}: ${result.stderr.trim()}`);
  }
  return { problems, validated };
}

export function schemaCheck(
  goTool: string,
  kubernetesValidate: string,
): { problems: string[]; validated: number } {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-k8s-'));
  const problems: string[] = [];
  let validated = 0;
  try {
    for (const k of KUSTOMIZATIONS) {
      let yaml: string;
      try {
        yaml = renderKustomization(goTool, k, 'yaml');
      } catch (error) {
        problems.push(`${k}: kustomize build failed: ${(error as Error).message}`);
        continue;
      }
      const file = join(dir, `${k.replaceAll('/', '_')}.yaml`);
      writeFileSync(file, yaml);
      const r = validateSchemas(kubernetesValidate, file, k);
      problems.push(...r.problems);
      validated += r.validated;
    }
    for (const f of PLAIN_MANIFESTS) {
      const r = validateSchemas(kubernetesValidate, join(REPO_ROOT, f), f);
      problems.push(...r.problems);
      validated += r.validated;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { problems, validated };
}

const find = (resources: Resource[], kind: string, name?: string) =>
  resources.filter((r) => r.kind === kind && (name === undefined || r.metadata?.name === name));

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The database role each app connects as (docs/architecture.md, "Layers and data ownership"). */
const APP_DB_ROLES: Record<string, string> = {
  ...Object.fromEntries(Object.values(SERVICE_DATA).map((d) => [d.service, d.role])),
  console: CONSOLE_DB_ROLE,
};

/**
 * Variables that only feed others through Kubernetes' `$(NAME)` expansion (a password into
 * DATABASE_URL): the app never reads them, so they are replaced by a placeholder and left out.
 */
export function expandHelpers(env: Record<string, string | null>): Record<string, string | null> {
  const values = Object.values(env).filter((v): v is string => typeof v === 'string');
  const helpers = new Set(values.flatMap((v) => [...v.matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1])));
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(env)) {
    if (helpers.has(k)) continue;
    out[k] = typeof v === 'string' ? v.replace(/\$\(([A-Z0-9_]+)\)/g, 'from-a-secret') : v;
  }
  return out;
}

/** Values standing in for Secrets when the apps' loaders check a Deployment's environment. */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgres://app:secret@appdb-rw:5432/appdb',
  CONSOLE_TOKEN: 'a-console-token-from-a-secret',
};

export async function checkRendered(
  resources: Resource[],
  apps: Workspace[],
  plainSecrets: Resource[],
): Promise<string[]> {
  const problems: string[] = [];
  const say = (what: string, problem: string) => problems.push(`${what}: ${problem}`);
  const configMaps = find(resources, 'ConfigMap');
  const kafka = find(resources, 'Kafka')[0];
  const pg = find(resources, 'Cluster')[0];
  // Secrets the manifests reference but that are created outside them (documented).
  const externalSecrets = new Set<string>([
    ...plainSecrets.map((s) => s.metadata?.name),
    pg ? `${pg.metadata.name}-app` : '',
    pg ? `${pg.metadata.name}-superuser` : '',
  ]);
  checkDatabaseSetup(resources, externalSecrets, say);

  for (const app of apps) {
    const name = appName(app);
    const deployment = find(resources, 'Deployment', name)[0];
    if (!deployment) {
      say(name, 'no Deployment');
      continue;
    }
    const where = `Deployment ${name}`;
    const pod = deployment.spec?.template?.spec ?? {};
    const podLabels = deployment.spec?.template?.metadata?.labels;
    if (!matches(deployment.spec?.selector?.matchLabels, podLabels))
      say(where, 'selector does not match its pod labels');
    if (pod.securityContext?.runAsNonRoot !== true) say(where, 'pods should set runAsNonRoot: true');
    const container = pod.containers?.[0];
    if (!container) {
      say(where, 'no container');
      continue;
    }
    if (!new RegExp(`(^|/)kafka-poc/${name}(:|@|$)`).test(container.image ?? ''))
      say(where, `image ${container.image} is not kafka-poc/${name}`);
    let env: Record<string, string | null> = {};
    for (const from of container.envFrom ?? []) {
      const ref = from.configMapRef?.name;
      const cm = configMaps.find((c) => c.metadata?.name === ref);
      if (!cm) say(where, `envFrom ConfigMap ${ref} is not in the manifests`);
      else Object.assign(env, cm.data ?? {});
    }
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (e.valueFrom?.secretKeyRef) {
        const secret = e.valueFrom.secretKeyRef.name;
        if (!externalSecrets.has(secret) && find(resources, 'Secret', secret).length === 0)
          say(where, `Secret ${secret} is neither in the manifests nor documented`);
        env[e.name] = SECRET_PLACEHOLDERS[e.name] ?? 'from-a-secret';
      } else if (e.valueFrom?.configMapKeyRef) env[e.name] = 'from-a-config-map';
    }
    const dbUser = /^[a-z]+:\/\/([^:@/]*)[:@]/i.exec(env.DATABASE_URL ?? '')?.[1] ?? '';
    if (APP_DB_ROLES[name] && dbUser !== APP_DB_ROLES[name])
      say(where, `DATABASE_URL connects as ${dbUser || '?'}, expected its own role ${APP_DB_ROLES[name]}`);
    env = expandHelpers(env);
    for (const p of await checkAppEnvironment(app, env, { fileVariables: ['API_KEYS_FILE'] })) say(where, p);
    const port = (container.ports ?? []).find((p: Resource) => p.name === 'http');
    if (!port) say(where, 'no container port named http');
    else if (String(port.containerPort) !== env.PORT)
      say(where, `containerPort ${port.containerPort} differs from PORT ${env.PORT}`);
    const probe = (p: Resource | undefined, path: string, kind: string) => {
      if (p?.httpGet?.path !== path) say(where, `${kind} should GET ${path}`);
      else if (p.httpGet.port !== 'http' && p.httpGet.port !== port?.containerPort)
        say(where, `${kind} probes another port`);
    };
    probe(container.readinessProbe, '/health/ready', 'readinessProbe');
    probe(container.livenessProbe, '/health/live', 'livenessProbe');
    if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory)
      say(where, 'needs cpu and memory requests');
    const grace = Number(pod.terminationGracePeriodSeconds ?? 30) * 1000;
    if (Number(env.SHUTDOWN_TIMEOUT_MS ?? 15000) >= grace)
      say(where, 'terminationGracePeriodSeconds must exceed SHUTDOWN_TIMEOUT_MS');
    for (const v of pod.volumes ?? []) {
      const secret = v.secret?.secretName;
      if (secret && !externalSecrets.has(secret) && find(resources, 'Secret', secret).length === 0)
        say(where, `volume Secret ${secret} is neither in the manifests nor documented`);
    }
    const services = find(resources, 'Service').filter((s) => matches(s.spec?.selector, podLabels));
    if (services.length === 0) say(where, 'no Service selects its pods');
    for (const s of services) {
      for (const p of s.spec?.ports ?? []) {
        if (p.targetPort !== 'http' && p.targetPort !== port?.containerPort)
          say(`Service ${s.metadata.name}`, `targetPort ${p.targetPort} is not the container's`);
      }
    }
  }
  for (const pdb of find(resources, 'PodDisruptionBudget')) {
    const selected = find(resources, 'Deployment').filter((d) =>
      matches(pdb.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels),
    );
    if (selected.length === 0) say(`PodDisruptionBudget ${pdb.metadata?.name}`, 'selects no Deployment');
  }

  // The Strimzi example: a KRaft cluster the ConfigMap points at, with the topics the services use.
  const brokersSetting = configMaps.map((c) => c.data?.KAFKA_BROKERS).find(Boolean) as string | undefined;
  if (!kafka) problems.push('no Strimzi Kafka resource in the full overlay');
  else {
    const kname = kafka.metadata.name;
    const plain = (kafka.spec?.kafka?.listeners ?? []).find(
      (l: Resource) => l.type === 'internal' && l.tls === false,
    );
    const expected = plain ? `${kname}-kafka-bootstrap:${plain.port}` : undefined;
    if (!expected) say(`Kafka ${kname}`, 'needs an internal plain listener for the apps');
    else if (brokersSetting !== expected)
      problems.push(`KAFKA_BROKERS is ${brokersSetting}, Strimzi's bootstrap Service is ${expected}`);
    const config = kafka.spec?.kafka?.config ?? {};
    if (
      String(config['min.insync.replicas']) !== '2' ||
      String(config['default.replication.factor']) !== '3'
    ) {
      say(`Kafka ${kname}`, 'expected default.replication.factor 3 and min.insync.replicas 2');
    }
    const pools = find(resources, 'KafkaNodePool').filter(
      (p) => p.metadata?.labels?.['strimzi.io/cluster'] === kname,
    );
    const roles = new Set(pools.flatMap((p) => p.spec?.roles ?? []));
    if (!roles.has('controller') || !roles.has('broker'))
      say(`Kafka ${kname}`, 'node pools need the controller and broker roles (KRaft)');
    const brokers = pools
      .filter((p) => (p.spec?.roles ?? []).includes('broker'))
      .reduce((n, p) => n + Number(p.spec?.replicas ?? 0), 0);
    if (brokers < 3) say(`Kafka ${kname}`, `${brokers} brokers; replication factor 3 needs 3`);
    const rf = Number(configMaps.map((c) => c.data?.KAFKA_REPLICATION_FACTOR).find(Boolean) ?? 1);
    if (rf > brokers) problems.push(`KAFKA_REPLICATION_FACTOR ${rf} exceeds the ${brokers} brokers`);
    const wanted = Object.values(TOPICS).flatMap((t) => [t, deadLetterTopic(t)]);
    const topics = find(resources, 'KafkaTopic');
    for (const t of topics) {
      const topicName = t.spec?.topicName ?? t.metadata?.name;
      if (t.metadata?.labels?.['strimzi.io/cluster'] !== kname)
        say(`KafkaTopic ${t.metadata?.name}`, `not labelled strimzi.io/cluster: ${kname}`);
      if (!wanted.includes(topicName))
        say(
          `KafkaTopic ${t.metadata?.name}`,
          `${topicName} is not a topic of the system (${wanted.join(', ')})`,
        );
      if (Number(t.spec?.replicas ?? rf) !== rf)
        say(`KafkaTopic ${t.metadata?.name}`, `replicas differ from KAFKA_REPLICATION_FACTOR ${rf}`);
    }
    for (const w of wanted) {
      if (!topics.some((t) => (t.spec?.topicName ?? t.metadata?.name) === w))
        problems.push(`no KafkaTopic for ${w}`);
    }
  }
  if (!pg) problems.push('no CloudNativePG Cluster in the full overlay');
  return problems;
}

/**
 * The db-setup Job: runs setup.sql from a ConfigMap of the manifests (deploy/postgres) with psql, and
 * every Secret it reads is in the manifests or documented.
 */
function checkDatabaseSetup(
  resources: Resource[],
  externalSecrets: Set<string>,
  say: (what: string, problem: string) => void,
): void {
  const job = find(resources, 'Job', 'db-setup')[0];
  if (!job) {
    say('Job db-setup', "missing: nothing creates the apps' database roles and schemas");
    return;
  }
  const pod = job.spec?.template?.spec ?? {};
  const container = pod.containers?.[0] ?? {};
  const command = (container.command ?? []).join(' ');
  if (!/\bpsql\b/.test(command) || !command.includes('setup.sql'))
    say('Job db-setup', 'should run psql -f …/setup.sql');
  const mounted = (pod.volumes ?? []).map((v: Resource) => v.configMap?.name).filter(Boolean);
  const sql = find(resources, 'ConfigMap').find(
    (c) => mounted.includes(c.metadata?.name) && typeof c.data?.['setup.sql'] === 'string',
  );
  if (!sql) say('Job db-setup', 'mounts no ConfigMap holding setup.sql (deploy/postgres)');
  for (const e of container.env ?? []) {
    const secret = e.valueFrom?.secretKeyRef?.name;
    if (secret && !externalSecrets.has(secret) && find(resources, 'Secret', secret).length === 0)
      say('Job db-setup', `Secret ${secret} is neither in the manifests nor documented`);
  }
}

export async function kubernetesCheck(
  goTool: string,
  kubernetesValidate: string,
  apps: Workspace[],
): Promise<{ problems: string[]; validated: number }> {
  const schema = schemaCheck(goTool, kubernetesValidate);
  const resources = JSON.parse(renderKustomization(goTool, FULL_OVERLAY, 'json')) as Resource[];
  const plain = JSON.parse(
    runOrThrow(goTool, ['manifests', ...PLAIN_MANIFESTS.map((f) => join(REPO_ROOT, f))]),
  ) as Resource[];
  const plainSecrets = plain.filter((r) => r.kind === 'Secret');
  return {
    problems: [...schema.problems, ...(await checkRendered(resources, apps, plainSecrets))],
    validated: schema.validated,
  };
}
