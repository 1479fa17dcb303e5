import { type KafkaAdmin, KafkaError } from '@kafka-poc/kafka';
import { printJson, printTable } from '../output.ts';
import { parseReplayTarget } from '../replay-target.ts';

export interface ReplayOptions {
  group: string;
  to: string;
  topics: string[];
  dryRun: boolean;
  json: boolean;
}

/**
 * `replay`: resets a stopped group's committed offsets. Kafka refuses while the group has members,
 * and so do we, with the members named. With idempotent consumers, re-reading history changes
 * nothing; to rebuild a projection, see docs/operations.md.
 */
export async function replayCommand(admin: KafkaAdmin, options: ReplayOptions): Promise<number> {
  const target = parseReplayTarget(options.to);
  if ('error' in target) {
    process.stderr.write(`replay: --to ${target.error}\n`);
    return 2;
  }
  const topics = options.topics.length > 0 ? options.topics : await committedTopics(admin, options.group);
  if (topics.length === 0) {
    process.stderr.write(`replay: group "${options.group}" has no committed offsets; pass --topic <name>\n`);
    return 2;
  }
  try {
    const plan = await admin.resetGroupOffsets(options.group, topics, target, { dryRun: options.dryRun });
    if (options.json) printJson({ dryRun: options.dryRun, plan });
    else {
      printTable(
        plan.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          current: p.currentOffset,
          new: p.newOffset,
          'to re-read': p.toRead,
        })),
      );
      const total = plan.reduce((sum, p) => sum + p.toRead, 0n);
      process.stdout.write(
        options.dryRun
          ? `\ndry run: nothing changed; ${total} record(s) would be re-read by "${options.group}"\n`
          : `\noffsets of "${options.group}" reset; ${total} record(s) will be re-read when it starts\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof KafkaError && error.code === 'GROUP_NOT_EMPTY') {
      const members = (await admin.describeGroup(options.group)).members.map((m) => m.clientId || m.memberId);
      process.stderr.write(
        `replay: refused — group "${options.group}" has ${members.length} active member(s) (${members.join(', ')}).\n` +
          `Stop every instance of the service first (offsets can only be reset on an empty group).\n`,
      );
      return 1;
    }
    throw error;
  }
}

async function committedTopics(admin: KafkaAdmin, group: string): Promise<string[]> {
  const lag = await admin.groupLag(group);
  return [...new Set(lag.map((p) => p.topic))];
}
