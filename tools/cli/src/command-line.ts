// The command line of `npm run cli -- <command>` (main.ts runs it): arguments, dispatch, exit codes.
import { parseArgs } from 'node:util';
import { createAdmin, createProducer, KafkaError } from '@kafka-poc/kafka';
import { parseInstant, parseInteger, parseOffset, UsageError } from './args.ts';
import { dlqListCommand, dlqRedriveCommand } from './commands/dlq.ts';
import { describeGroupCommand, listGroupsCommand, listTopicsCommand } from './commands/groups.ts';
import { createKeyCommand } from './commands/keys.ts';
import { rebuildNotificationsCommand } from './commands/rebuild.ts';
import { replayCommand } from './commands/replay.ts';
import { resolveTargets } from './connection.ts';
import { parseReplayTarget } from './replay-target.ts';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  topics                               topics with partitions, leaders, replicas, offsets
  groups                               consumer groups with state, members and total lag
  group <group-id>                     members, partition assignment, committed offsets and lag
  replay --group <id> --to <target>    reset a STOPPED group's offsets; <target> is earliest | latest |
         [--topic <t>]... [--dry-run]  an ISO-8601 time with a zone (2026-12-04T10:00Z, …+01:00) |
         [--allow-skip]                <topic>:<partition>:<offset>[,…]. Refuses to move the group past
                                       records it never consumed unless --allow-skip is given
  dlq list <topic> [--limit n]         dead letters of <topic> (or of <topic>.DLT)
  dlq redrive <topic> --all [--limit n]
                                       re-publish dead letters (the oldest n, default all) to their
                                       original topic; reports what was redriven and what was left
  dlq redrive <topic> --offset <n> [--partition <p>]
  keys create --name <n> --scopes <orders:write|read|admin>[,…]
                                       a new API key (printed once) and its hashed API_KEYS entry
  rebuild notifications --from <time> [--to <time>] [--group <id>] [--dry-run]
                                       forget the notifications stored in a time range and rewind the
                                       STOPPED notification-service group so they are rebuilt from
                                       the log; only those whose source event is still in the topic
                                       (refused otherwise, or when --from is older than
                                       INBOX_RETENTION_MS, set it as notification-service has it)

Options: --json (machine-readable output), --help
Exit codes: 0 done, 1 refused or failed (nothing changed unless it says so), 2 bad arguments.
Connects to KAFKA_BROKERS, else the running \`npm run infra\` (.data/infra.json), else 127.0.0.1:9092.
`;

const OPTIONS = {
  group: { type: 'string' },
  to: { type: 'string' },
  topic: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'allow-skip': { type: 'boolean' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  offset: { type: 'string' },
  partition: { type: 'string' },
  from: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Option = keyof typeof OPTIONS;

/** Options each command takes, and how many positional arguments after the command. */
const COMMANDS: Record<string, { options: Option[]; positionals: number }> = {
  topics: { options: ['json'], positionals: 0 },
  groups: { options: ['json'], positionals: 0 },
  group: { options: ['json'], positionals: 1 },
  replay: { options: ['group', 'to', 'topic', 'dry-run', 'allow-skip', 'json'], positionals: 0 },
  dlq: { options: ['limit', 'all', 'offset', 'partition', 'json'], positionals: 2 },
  keys: { options: ['name', 'scopes'], positionals: 1 },
  rebuild: { options: ['from', 'to', 'group', 'dry-run'], positionals: 1 },
};

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // Unknown option, missing value: node:util says which.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  checkArguments(command, rest, values);
  if (command === 'keys') {
    if (rest[0] !== 'create') throw new UsageError('keys: use "keys create --name <n> --scopes <…>"');
    return createKeyCommand(values.name, values.scopes);
  }
  return withCluster(command, rest, values, env);
}

function checkArguments(command: string, rest: string[], values: Values): void {
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const given = (Object.keys(values) as Option[]).filter((k) => values[k] !== undefined);
  const foreign = given.filter((k) => !spec.options.includes(k));
  if (foreign.length > 0) {
    throw new UsageError(`${command} does not take ${foreign.map((k) => `--${k}`).join(', ')}`);
  }
  if (rest.length > spec.positionals)
    throw new UsageError(`${command}: unexpected argument "${rest[spec.positionals]}"`);
}

async function withCluster(
  command: string,
  rest: string[],
  values: Values,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const request = validated(command, rest, values);
  const targets = await resolveTargets(env);
  const admin = createAdmin(targets.kafka);
  await admin.start();
  try {
    switch (request.kind) {
      case 'topics':
        return await listTopicsCommand(admin, { json: request.json });
      case 'groups':
        return await listGroupsCommand(admin, { json: request.json });
      case 'group':
        return await describeGroupCommand(admin, request.group, { json: request.json });
      case 'replay':
        return await replayCommand(admin, request.options);
      case 'dlq-list':
        return await dlqListCommand(admin, request.topic, { limit: request.limit, json: request.json });
      case 'dlq-redrive': {
        const producer = createProducer(targets.kafka);
        await producer.start();
        try {
          return await dlqRedriveCommand(admin, producer, request.topic, request.selection, {
            json: request.json,
          });
        } finally {
          await producer.stop();
        }
      }
      case 'rebuild':
        return await rebuildNotificationsCommand(admin, {
          databaseUrl: targets.databaseUrl,
          databaseSsl: targets.databaseSsl,
          inboxRetentionMs: targets.inboxRetentionMs,
          ...request.options,
        });
    }
  } finally {
    await admin.stop();
  }
}

/** Every argument checked before anything connects, so a typo never half-runs a command. */
function validated(command: string, rest: string[], values: Values) {
  const json = values.json ?? false;
  switch (command) {
    case 'topics':
    case 'groups':
      return { kind: command, json } as const;
    case 'group':
      if (!rest[0]) throw new UsageError('group: which group? (npm run cli -- group inventory-service)');
      return { kind: 'group', group: rest[0], json } as const;
    case 'replay':
      if (!values.group) throw new UsageError('replay: --group <id> is required');
      if (!values.to) throw new UsageError('replay: --to <target> is required');
      return {
        kind: 'replay',
        options: {
          group: values.group,
          to: values.to,
          target: replayTarget(values.to),
          topics: values.topic ?? [],
          dryRun: values['dry-run'] ?? false,
          allowSkip: values['allow-skip'] ?? false,
          json,
        },
      } as const;
    case 'dlq':
      return validatedDlq(rest, values, json);
    case 'rebuild':
      if (rest[0] !== 'notifications')
        throw new UsageError('rebuild: use "rebuild notifications --from <time>"');
      if (!values.from) throw new UsageError('rebuild: --from <time> is required');
      return {
        kind: 'rebuild',
        options: {
          group: values.group ?? 'notification-service',
          ...rebuildRange(values.from, values.to),
          dryRun: values['dry-run'] ?? false,
        },
      } as const;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function replayTarget(text: string) {
  const target = parseReplayTarget(text);
  if ('error' in target) throw new UsageError(`replay: --to ${target.error}`);
  return target;
}

function rebuildRange(fromText: string, toText: string | undefined): { from: Date; to: Date } {
  const instant = (option: string, text: string) => {
    const parsed = parseInstant(text);
    if (typeof parsed !== 'number') throw new UsageError(`rebuild: ${option} ${parsed.error}`);
    return parsed;
  };
  const from = instant('--from', fromText);
  const to = toText === undefined ? Date.now() : instant('--to', toText);
  if (from >= to) throw new UsageError('rebuild: --from must be before --to (default: now)');
  return { from: new Date(from), to: new Date(to) };
}

function validatedDlq(rest: string[], values: Values, json: boolean) {
  const [sub, topic] = rest;
  if (!topic || (sub !== 'list' && sub !== 'redrive'))
    throw new UsageError('dlq: use "dlq list <topic>" or "dlq redrive <topic> --all | --offset <n>"');
  const limit = values.limit === undefined ? undefined : parseInteger('--limit', values.limit, 1);
  if (sub === 'list') {
    if (values.all || values.offset !== undefined || values.partition !== undefined)
      throw new UsageError('dlq list takes --limit only');
    return { kind: 'dlq-list', topic, limit: limit ?? 100, json } as const;
  }
  if (values.all && values.offset !== undefined)
    throw new UsageError('dlq redrive: --all or --offset, not both');
  if (values.all) {
    if (values.partition !== undefined) throw new UsageError('dlq redrive: --partition goes with --offset');
    return { kind: 'dlq-redrive', topic, selection: { all: true, limit }, json } as const;
  }
  if (values.offset === undefined)
    throw new UsageError('dlq redrive: pass --all or --offset <n> [--partition <p>]');
  if (limit !== undefined) throw new UsageError('dlq redrive: --limit goes with --all');
  const partition =
    values.partition === undefined ? undefined : parseInteger('--partition', values.partition);
  return {
    kind: 'dlq-redrive',
    topic,
    selection: { offset: parseOffset('--offset', values.offset), partition },
    json,
  } as const;
}

/**
 * Runs one command line and returns its exit code: 0 done, 1 refused or failed, 2 bad arguments.
 * Errors become one line on stderr, never a stack trace. `env` says where to connect (connection.ts).
 */
export async function runCommandLine(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await dispatch(argv, env);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    // An unknown topic is a wrong argument too: name it, exit 2.
    if (error instanceof KafkaError && error.code === 'TOPIC_NOT_FOUND') return usageError(error.message);
    process.stderr.write(`cli: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function usageError(message: string): number {
  process.stderr.write(`cli: ${message}\nRun "npm run cli -- --help" for the commands and their options.\n`);
  return 2;
}
