/**
 * `npm run service -- <name> [--instance n] [--port p]`: one service instance in the foreground,
 * against the running infra (.data/infra.json) or KAFKA_BROKERS + DATABASE_URL from the environment.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  appCommand,
  buildApps,
  dataRoot,
  findRunningInfra,
  findService,
  formatCliError,
  type InfraClientEnv,
  infraFile,
  instanceId,
  instancePort,
  LocalStackError,
  repoRoot,
  SERVICES,
  serviceEnv,
  startWatchdog,
} from '@kafka-poc/local-stack';

const HELP = `Usage: npm run service -- <name> [--instance n] [--port p]

Runs one instance of a service in the foreground against running infra.
  <name>         ${SERVICES.map((s) => s.name).join(', ')}
  --instance n   1-based instance number (default 1): INSTANCE_ID <name>-n, port base+100*(n-1)
  --port p       listen on p instead
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      instance: { type: 'string', default: '1' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return;
  }
  const name = positionals[0] ?? '';
  const service = findService(name);
  const n = Number(values.instance);
  if (!service || !Number.isInteger(n) || n < 1) {
    throw new LocalStackError('INVALID_ARGUMENT', `Unknown service "${name}" or bad --instance.`, {
      retryable: false,
      hint: `services: ${SERVICES.map((s) => s.name).join(', ')}`,
    });
  }
  await buildApps(repoRoot(), (m) => process.stderr.write(`${m}\n`), [service]);
  const command = appCommand(service, repoRoot());
  const endpoints = await findEndpoints();
  const port = values.port ? Number(values.port) : instancePort(service, n - 1, process.env);
  const id = instanceId(service, n - 1);
  process.stderr.write(`${id}: port ${port}, Kafka ${endpoints.kafkaBrokers}\n`);
  // Own process group, so a Ctrl-C reaches it exactly once (forwarded by us), not twice; the watchdog
  // stops it if we are killed outright.
  const child = spawn(process.execPath, command.args, {
    cwd: command.cwd,
    env: serviceEnv({ service, env: process.env, port, instanceId: id, ...endpoints }),
    stdio: 'inherit',
    detached: true,
  });
  const watchdog = startWatchdog();
  if (child.pid) watchdog.watch(child.pid, { signal: 'SIGTERM' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    watchdog.stop();
    process.exit(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1));
  });
}

async function findEndpoints(): Promise<{
  kafkaBrokers: string;
  databaseUrl: string;
  clientEnv?: InfraClientEnv;
}> {
  const { KAFKA_BROKERS, DATABASE_URL } = process.env;
  if (KAFKA_BROKERS && DATABASE_URL) return { kafkaBrokers: KAFKA_BROKERS, databaseUrl: DATABASE_URL };
  const root = dataRoot(process.env);
  const running = await findRunningInfra(root);
  if (!running) {
    throw new LocalStackError(
      'INFRA_NOT_RUNNING',
      `No running infra (${infraFile(root)} missing or stale).`,
      {
        retryable: true,
        hint: 'start it with `npm run infra` in another terminal, or set KAFKA_BROKERS and DATABASE_URL',
      },
    );
  }
  // The infra's client variables apply to the parts taken from it, not to a KAFKA_BROKERS/DATABASE_URL of ours.
  const clientEnv: InfraClientEnv = {
    ...(KAFKA_BROKERS || !running.clientEnv?.kafka ? {} : { kafka: running.clientEnv.kafka }),
    ...(DATABASE_URL || !running.clientEnv?.database ? {} : { database: running.clientEnv.database }),
  };
  return {
    kafkaBrokers: KAFKA_BROKERS ?? running.bootstrapServers,
    databaseUrl: DATABASE_URL ?? running.databaseUrl,
    clientEnv,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`service: ${formatCliError(error)}\n`);
  process.exit(1);
});
