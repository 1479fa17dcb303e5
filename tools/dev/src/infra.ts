/**
 * `npm run infra [-- --brokers 3] [--kafka-security scram|tls|scram+tls] [--postgres-tls] [--reset [--yes]]`:
 * Kafka + Postgres in the foreground, data in .data/.
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  dataRoot,
  envLines,
  findRunningInfra,
  formatCliError,
  type InfraKafkaSecurity,
  infraFile,
  LocalStackError,
  parseInfraKafkaSecurity,
  printProgress,
  type RunningInfra,
  startInfra,
} from '@kafka-poc/local-stack';
import { confirm } from './confirm.ts';
import { onShutdownSignal } from './shutdown.ts';

const HELP = `Usage: npm run infra [-- options]

Starts a local Apache Kafka (KRaft) and PostgreSQL 18 in the foreground. Ctrl-C stops both.

Options:
  --brokers 1|3   Kafka nodes (default 1: port 9092; 3: 9092, 9192, 9292)
  --kafka-security scram|tls|scram+tls
                  secure the broker's client port: SASL/SCRAM-SHA-512 (SASL_PLAINTEXT), TLS with a
                  throwaway CA (SSL), or both (SASL_SSL); own data dir (.data/kafka-scram or -tls);
                  inter-broker and controller traffic stay PLAINTEXT on 127.0.0.1 (port 9094)
  --postgres-tls  ssl=on for Postgres with a throwaway CA (plaintext still accepted)
  --reset         wipe the data dir (asks first; refuses while infra runs)
  --yes           with --reset: do not ask (needed without a terminal)
  -h, --help      this text

Environment:
  KAFKA_POC_DATA_DIR  data dir (default <repo>/.data)
  KAFKA_BROKERS       use this existing Kafka (h:p,…) and start no broker
  DATABASE_URL        use this existing Postgres and start none
  KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD(_FILE), KAFKA_SASL_MECHANISM
                      with --kafka-security scram*: the SCRAM user (default svc, SCRAM-SHA-512, a
                      password generated once into the data dir)
  KAFKA_POC_CACHE     Kafka jar cache root (default ~/.cache/kafka-poc)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '1' },
      'kafka-security': { type: 'string' },
      'postgres-tls': { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const root = dataRoot(process.env);
  if (values.reset) return reset(root, values.yes);
  if (values.brokers !== '1' && values.brokers !== '3') {
    throw new LocalStackError('INVALID_ARGUMENT', `--brokers must be 1 or 3, got "${values.brokers}".`, {
      retryable: false,
    });
  }
  const kafkaSecurity = parseInfraKafkaSecurity(values['kafka-security']);
  await run(root, values.brokers === '3' ? 3 : 1, kafkaSecurity, values['postgres-tls']);
}

async function run(
  root: string,
  brokers: 1 | 3,
  kafkaSecurity: InfraKafkaSecurity | undefined,
  postgresTls: boolean,
): Promise<void> {
  const log = printProgress('infra');
  const kafka = process.env.KAFKA_BROKERS
    ? 'existing Kafka'
    : brokers === 1
      ? '1 Kafka node'
      : '3 Kafka nodes';
  const postgres = process.env.DATABASE_URL ? 'existing Postgres' : 'Postgres';
  const secured = kafkaSecurity && !process.env.KAFKA_BROKERS ? ` (${kafkaSecurity})` : '';
  log(`starting ${kafka}${secured} + ${postgres}${postgresTls ? ' (TLS)' : ''} (data: ${root})`);
  const infra = await startInfra({
    dataRoot: root,
    env: process.env,
    brokers,
    onProgress: log,
    ...(kafkaSecurity ? { kafkaSecurity } : {}),
    ...(postgresTls ? { postgresTls } : {}),
  });
  // Nothing else keeps the event loop alive: the JVM and postgres are detached.
  const keepAlive = setInterval(() => {}, 1 << 30);
  onShutdownSignal(async () => {
    await infra.stop();
    clearInterval(keepAlive);
    log('stopped; data kept');
  }, log);
  printSummary(infra, root);
}

function printSummary(infra: RunningInfra, root: string): void {
  const lines = [
    '',
    `  Infra ready in ${(infra.readyInMs / 1000).toFixed(1)} s`,
    `  KAFKA_BROKERS=${infra.info.bootstrapServers}${
      infra.info.kafkaSecurityProtocol ? `   (${infra.info.kafkaSecurityProtocol})` : ''
    }`,
    ...envLines(infra.info.clientEnv?.kafka).map((l) => `  ${l}`),
    `  DATABASE_URL=${infra.info.databaseUrl}`,
    ...envLines(infra.info.clientEnv?.database).map((l) => `  ${l}`),
    ...(infra.info.notes ?? []).map((n) => `  ${n}`),
    `  data:   ${root}`,
    ...infra.info.logs.map((l) => `  log:    ${l}`),
    `  state:  ${infraFile(root)} (pid ${process.pid})`,
    '',
    '  Ctrl-C to stop. In another terminal: npm start, or npm run service -- <name>',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function reset(root: string, yes: boolean): Promise<void> {
  const running = await findRunningInfra(root);
  if (running) {
    throw new LocalStackError(
      'INFRA_ALREADY_RUNNING',
      `Refusing to wipe ${root}: infra runs (pid ${running.pid}).`,
      {
        retryable: false,
        hint: `stop it first (Ctrl-C in its terminal, or kill ${running.pid})`,
      },
    );
  }
  if (!yes) {
    if (!process.stdin.isTTY) {
      throw new LocalStackError(
        'INVALID_ARGUMENT',
        `Refusing to wipe ${root} without a terminal to confirm.`,
        {
          retryable: false,
          hint: 'add --yes: npm run infra -- --reset --yes',
        },
      );
    }
    if (!(await confirm(`Delete ${root} (all Kafka topics and Postgres databases)?`))) {
      process.stderr.write('not deleted\n');
      return;
    }
  }
  await rm(root, { recursive: true, force: true });
  process.stderr.write(`deleted ${root}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`infra: ${formatCliError(error)}\n`);
  process.exit(1);
});
