import {
  type KafkaAdmin,
  KafkaError,
  type OffsetResetPlanEntry,
  OffsetResetSkipsError,
  type OffsetResetTarget,
} from '@kafka-poc/kafka';
import { UsageError } from '../args.ts';
import { printJson, printTable } from '../output.ts';

export interface ReplayOptions {
  group: string;
  /** --to as written, for messages… */
  to: string;
  /** …and parsed. */
  target: OffsetResetTarget;
  topics: string[];
  dryRun: boolean;
  /** Move the group past records it never consumed, on purpose. */
  allowSkip: boolean;
  json: boolean;
}

/**
 * `replay`: resets a stopped group's committed offsets. Kafka refuses while the group has members,
 * and so do we, with the members named. A reset that moves the group forward past records it never
 * consumed loses their effects, so it is refused unless --allow-skip says so. With idempotent
 * consumers, re-reading history changes nothing; to rebuild a projection, see docs/operations.md.
 */
export async function replayCommand(admin: KafkaAdmin, options: ReplayOptions): Promise<number> {
  const { target } = options;
  const topics = await topicsToReset(admin, options, target);
  try {
    const plan = await admin.resetGroupOffsets(options.group, topics, target, {
      dryRun: options.dryRun,
      refuseSkips: !options.allowSkip,
    });
    if (options.json) printJson({ dryRun: options.dryRun, plan });
    else {
      printTable(planRows(plan));
      process.stdout.write(`\n${planSummary(options.group, plan, options)}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof OffsetResetSkipsError) {
      process.stderr.write(skipRefusal(options.group, options.to, error.skips));
      return 1;
    }
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

/** --topic, else the topics named by explicit offsets, else every topic the group committed on. */
async function topicsToReset(admin: KafkaAdmin, options: ReplayOptions, target: OffsetResetTarget) {
  if (options.topics.length > 0) return options.topics;
  if (target.kind === 'offsets') return [...new Set(target.offsets.map((o) => o.topic))];
  const topics = [...new Set((await admin.groupLag(options.group)).map((p) => p.topic))];
  if (topics.length === 0) {
    throw new UsageError(
      `replay: group "${options.group}" has no committed offsets; name the topics with --topic <name>`,
    );
  }
  return topics;
}

export function planRows(plan: OffsetResetPlanEntry[]) {
  return plan.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    committed: p.currentOffset ?? 'none',
    target: p.newOffset,
    're-read': p.reRead,
    skipped: p.skipped,
  }));
}

/** What the reset did or would do, including what happens to partitions the group never committed on. */
export function planSummary(
  group: string,
  plan: OffsetResetPlanEntry[],
  options: { dryRun: boolean; allowSkip: boolean },
): string {
  const reRead = plan.reduce((sum, p) => sum + p.reRead, 0n);
  const skipped = plan.reduce((sum, p) => sum + p.skipped, 0n);
  const lines = plan.filter((p) => p.currentOffset === undefined).map(uncommittedNote);
  if (options.dryRun) {
    lines.push(`dry run: nothing changed; "${group}" would re-read ${reRead} record(s) and skip ${skipped}.`);
    if (skipped > 0n) {
      lines.push(
        `Skipping means records it never consumed are never processed (${where(plan)}); ` +
          (options.allowSkip ? 'allowed by --allow-skip.' : 'without --allow-skip a real run refuses.'),
      );
    }
  } else {
    lines.push(
      `offsets of "${group}" reset; it re-reads ${reRead} record(s) when it starts` +
        (skipped > 0n ? ` and skips ${skipped} it never consumed (${where(plan)}).` : '.'),
    );
  }
  return lines.join('\n');
}

function uncommittedNote(p: OffsetResetPlanEntry): string {
  const start = p.newOffset - p.skipped;
  return (
    `${p.topic}:${p.partition} has no committed offset: its consumers would start at the earliest ` +
    `retained offset (${start}); after the reset they start at ${p.newOffset}` +
    (p.skipped > 0n ? `, skipping ${p.skipped} record(s).` : ', skipping nothing.')
  );
}

function where(plan: OffsetResetPlanEntry[]): string {
  return plan
    .filter((p) => p.skipped > 0n)
    .map((p) => `${p.topic}:${p.partition} ${p.skipped}`)
    .join(', ');
}

export function skipRefusal(group: string, to: string, skips: OffsetResetPlanEntry[]): string {
  const total = skips.reduce((sum, p) => sum + p.skipped, 0n);
  const lines = skips.map(
    (p) =>
      `  ${p.topic}:${p.partition}  ${p.currentOffset === undefined ? 'no committed offset (starts at earliest)' : `committed ${p.currentOffset}`}` +
      ` → ${p.newOffset}: ${p.skipped} record(s) skipped`,
  );
  return (
    `replay: refused — moving "${group}" to ${to} skips ${total} record(s) it never consumed:\n` +
    `${lines.join('\n')}\n` +
    `Nothing changed. Their effects would never happen. See the whole plan with --dry-run; ` +
    `add --allow-skip to skip them on purpose.\n`
  );
}
