// `npm run cli -- <command>`: operate the running system's Kafka side (groups, replay, dead letters).
import { parseArgs } from 'node:util';
import { createAdmin, createProducer, type KafkaAdmin } from '@kafka-poc/kafka';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq.ts';
import { describeGroupCommand, listGroupsCommand, listTopicsCommand } from './commands/groups.ts';
import { createKeyCommand } from './commands/keys.ts';
import { rebuildNotificationsCommand } from './commands/rebuild.ts';
import { replayCommand } from './commands/replay.ts';
import { resolveTargets } from './connection.ts';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  topics                               topics with partitions, leaders, replicas, offsets
  groups                               consumer groups with state, members and total lag
  group <group-id>                     members, partition assignment, committed offsets and lag
  replay --group <id> --to <target>    reset a STOPPED group's offsets; <target> is earliest | latest |
         [--topic <t>]... [--dry-run]  an ISO-8601 time | <topic>:<partition>:<offset>[,…]
  dlq list <topic> [--limit n]         dead letters of <topic> (or of <topic>.DLT)
  dlq redrive <topic> --all            re-publish dead letters to their original topic
  dlq redrive <topic> --offset <n> [--partition <p>]
  keys create --name <n> --scopes <orders:write|read|admin>[,…]
                                       a new API key (printed once) and its hashed API_KEYS entry
  rebuild notifications --from <time> [--to <time>] [--dry-run]
                                       forget a time range of notifications and rewind the STOPPED
                                       notification-service group so they are rebuilt from the log
                                       (--group, --topic override the default group and topic)

Options: --json (machine-readable output), --help
Connects to KAFKA_BROKERS, else the running \`npm run infra\` (.data/infra.json), else 127.0.0.1:9092.
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      to: { type: 'string' },
      topic: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string', default: '100' },
      all: { type: 'boolean', default: false },
      offset: { type: 'string' },
      partition: { type: 'string' },
      from: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  // Needs no cluster: handled before connecting.
  if (command === 'keys')
    return sub === 'create'
      ? createKeyCommand(values.name, values.scopes)
      : usageError('keys: use "keys create"');
  const targets = await resolveTargets();
  const admin = createAdmin(targets.kafka);
  await admin.start();
  try {
    if (command === 'rebuild') {
      if (sub !== 'notifications' || !values.from)
        return usageError('rebuild: use "rebuild notifications --from <time>"');
      return await rebuildNotificationsCommand(admin, {
        databaseUrl: targets.databaseUrl,
        databaseSsl: targets.databaseSsl,
        group: values.group ?? 'notification-service',
        topic: values.topic?.[0] ?? 'inventory-events',
        from: values.from,
        to: values.to,
        dryRun: values['dry-run'],
      });
    }
    return await run(admin, targets.kafka, command, sub, arg, values);
  } finally {
    await admin.stop();
  }
}

async function run(
  admin: KafkaAdmin,
  connection: Parameters<typeof createProducer>[0],
  command: string,
  sub: string | undefined,
  arg: string | undefined,
  values: {
    group?: string | undefined;
    to?: string | undefined;
    topic?: string[] | undefined;
    'dry-run': boolean;
    limit: string;
    all: boolean;
    offset?: string | undefined;
    partition?: string | undefined;
    json: boolean;
  },
): Promise<number> {
  const json = values.json;
  switch (command) {
    case 'topics':
      return listTopicsCommand(admin, { json });
    case 'groups':
      return listGroupsCommand(admin, { json });
    case 'group':
      if (!sub) return usageError('group: which group? (npm run cli -- group inventory-service)');
      return describeGroupCommand(admin, sub, { json });
    case 'replay':
      if (!values.group || !values.to) return usageError('replay: --group and --to are required');
      return replayCommand(admin, {
        group: values.group,
        to: values.to,
        topics: values.topic ?? [],
        dryRun: values['dry-run'],
        json,
      });
    case 'dlq':
      return dlq(admin, connection, sub, arg, values);
    default:
      return usageError(`unknown command "${command}"`);
  }
}

async function dlq(
  admin: KafkaAdmin,
  connection: Parameters<typeof createProducer>[0],
  sub: string | undefined,
  topic: string | undefined,
  values: {
    limit: string;
    all: boolean;
    offset?: string | undefined;
    partition?: string | undefined;
    json: boolean;
  },
): Promise<number> {
  if (!topic || (sub !== 'list' && sub !== 'redrive'))
    return usageError('dlq: use "dlq list <topic>" or "dlq redrive <topic> …"');
  if (sub === 'list') return dlqListCommand(admin, topic, { limit: Number(values.limit), json: values.json });
  const producer = createProducer(connection);
  await producer.start();
  try {
    return await dlqRedriveCommand(admin, producer, topic, {
      all: values.all,
      offset: values.offset === undefined ? undefined : BigInt(values.offset),
      partition: values.partition === undefined ? undefined : Number(values.partition),
    });
  } finally {
    await producer.stop();
  }
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
