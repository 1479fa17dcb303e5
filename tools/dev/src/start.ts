import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildApps,
  dataRoot,
  findRunningInfra,
  formatCliError,
  type InfraClientEnv,
  LocalStackError,
  parseInfraKafkaSecurity,
  printProgress,
  type RunningInfra,
  repoRoot,
  SERVICES,
  type ServiceDefinition,
  startInfra,
  startWatchdog,
} from '@kafka-poc/local-stack';
import { formatApiKeyRecord, generateApiKey } from '@kafka-poc/service-kit';
import { runInstance, type ServiceInstance } from './service-instance.ts';
import { onShutdownSignal } from './shutdown.ts';

const HELP = `Usage: npm start [-- options]

Starts Kafka + Postgres (or reuses \`npm run infra\` if it runs) and every service, then prints their URLs.

Options:
  --scale <name>=N   run N instances of a service (repeatable); instance i listens on base port + 100*i
  --brokers 1|3      Kafka nodes when infra is started here (default 1)
  --kafka-security scram|tls|scram+tls
                     secure the broker started here (see npm run infra -- --help); services get
                     the client variables. A running \`npm run infra\` brings its own.
  --postgres-tls     TLS for the Postgres started here; services connect with verify-full
  -h, --help         this text

Services: ${SERVICES.map((s) => `${s.name} (${s.defaultPort}, ${s.portEnv})`).join(', ')}
`;

const COLORS = [36, 33, 35, 32, 34, 91, 93, 95];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', multiple: true, default: [] },
      brokers: { type: 'string', default: '1' },
      'kafka-security': { type: 'string' },
      'postgres-tls': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const scale = parseScale(values.scale);
  const kafkaSecurity = parseInfraKafkaSecurity(values['kafka-security']);
  const log = printProgress('start');
  const root = dataRoot(process.env);
  const startedAt = performance.now();

  // The build the images run, made first: a source that does not build fails before infra starts.
  await buildApps(repoRoot(), log);

  // One watchdog for everything this command starts: if it is killed, services stop before infra.
  await mkdir(root, { recursive: true });
  const watchdog = startWatchdog({ logFile: join(root, 'watchdog.log') });
  const running = await findRunningInfra(root);
  let infra: RunningInfra | undefined;
  let endpoints: Endpoints;
  if (running) {
    log(`using running infra (pid ${running.pid}): Kafka ${running.bootstrapServers}`);
    if (kafkaSecurity || values['postgres-tls']) {
      log('--kafka-security/--postgres-tls ignored: the running infra keeps its own settings');
    }
    endpoints = {
      kafkaBrokers: running.bootstrapServers,
      databaseUrl: running.databaseUrl,
      ...(running.clientEnv ? { clientEnv: running.clientEnv } : {}),
    };
  } else {
    infra = await startInfra({
      dataRoot: root,
      env: process.env,
      brokers: values.brokers === '3' ? 3 : 1,
      onProgress: log,
      watchdog,
      ...(kafkaSecurity ? { kafkaSecurity } : {}),
      ...(values['postgres-tls'] ? { postgresTls: true } : {}),
    });
    endpoints = {
      kafkaBrokers: infra.info.bootstrapServers,
      databaseUrl: infra.info.databaseUrl,
      ...(infra.info.clientEnv ? { clientEnv: infra.info.clientEnv } : {}),
    };
    for (const note of infra.info.notes ?? []) log(note);
  }

  // A fresh admin API key for this run. Auth is optional in development, but the key lets people try
  // the authenticated path (and the console use it); services only ever see its hash.
  const devKey = generateApiKey('local-dev', ['admin']);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_KEYS: [process.env.API_KEYS, formatApiKeyRecord(devKey.record)].filter(Boolean).join(','),
  };
  const instances = launchAll(scale, { ...endpoints, env }, watchdog, log);
  const keepAlive = setInterval(() => {}, 1 << 30);
  onShutdownSignal(async () => {
    log(`stopping ${instances.length} service instance(s)`);
    await Promise.all(instances.map((i) => i.stop(15_000)));
    if (infra) {
      log('stopping infra');
      await infra.stop();
    }
    watchdog.stop();
    clearInterval(keepAlive);
    log('all stopped');
  }, log);

  const results = await Promise.all(
    instances.map(async (instance) => {
      const result = await instance.waitReady(log);
      if (result === 'exited') {
        log(
          `${instance.id} exited before it was ready; its last lines:\n${instance.lastLines(20).join('\n')}`,
        );
      } else {
        log(`${instance.id} ready`);
      }
      return result;
    }),
  );
  printTable(instances, results, endpoints, (performance.now() - startedAt) / 1000);
  process.stdout.write(
    `  API key for this run (admin scope; optional in development): ${devKey.key}\n` +
      `  e.g. curl -H 'authorization: Bearer ${devKey.key}' http://127.0.0.1:8000/orders\n\n`,
  );
}

function parseScale(entries: string[]): Map<string, number> {
  const scale = new Map<string, number>();
  for (const entry of entries) {
    const [name, count] = entry.split('=');
    const n = Number(count);
    if (!name || !SERVICES.some((s) => s.name === name) || !Number.isInteger(n) || n < 0) {
      throw new LocalStackError('INVALID_ARGUMENT', `--scale ${entry}: expected <service>=<N>.`, {
        retryable: false,
        hint: `services: ${SERVICES.map((s) => s.name).join(', ')}`,
      });
    }
    scale.set(name, n);
  }
  return scale;
}

interface Endpoints {
  kafkaBrokers: string;
  databaseUrl: string;
  clientEnv?: InfraClientEnv;
}

function launchAll(
  scale: Map<string, number>,
  endpoints: Endpoints & { env: NodeJS.ProcessEnv },
  watchdog: ReturnType<typeof startWatchdog>,
  log: (m: string) => void,
): ServiceInstance[] {
  const root = repoRoot();
  const instances: ServiceInstance[] = [];
  SERVICES.forEach((service: ServiceDefinition, serviceIndex) => {
    const count = scale.get(service.name) ?? 1;
    for (let index = 0; index < count; index++) {
      const color = COLORS[(serviceIndex * 2 + index) % COLORS.length];
      instances.push(
        runInstance({ service, index, repoRoot: root, ...endpoints, watchdog, onProgress: log, color }),
      );
    }
  });
  return instances;
}

function printTable(
  instances: ServiceInstance[],
  results: ('ready' | 'exited')[],
  endpoints: Endpoints,
  seconds: number,
): void {
  const rows = instances.map((instance, i) => {
    const base = `http://127.0.0.1:${instance.port}`;
    const extra = instance.service.kind === 'api' ? `${base}/docs  ${base}/metrics` : '(console)';
    const status = results[i] === 'ready' ? 'ready' : 'NOT READY (restarting)';
    return `  ${instance.id.padEnd(24)} ${status.padEnd(10)} ${base.padEnd(24)} ${extra}`;
  });
  const lines = [
    '',
    `  Up in ${seconds.toFixed(1)} s. Kafka ${endpoints.kafkaBrokers}  Postgres (admin, psql) ${endpoints.databaseUrl}`,
    '  Each service connects as its own role and owns its schema; psql as the admin answers the original demo.',
    ...(rows.length > 0 ? rows : ['  (no service entry files exist yet)']),
    '',
    '  Ctrl-C stops the services, then the infra this command started.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`start: ${formatCliError(error)}\n`);
  process.exit(1);
});
