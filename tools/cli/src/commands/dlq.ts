import { asDeadLetterTopic, HEADERS } from '@kafka-poc/contracts';
import type { IncomingMessage, KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import { RedriveError, type RedriveReport, redriveAll, redriveOne } from '@kafka-poc/outbox';
import { UsageError } from '../args.ts';
import { printJson, printTable } from '../output.ts';

export type RedriveSelection =
  | { all: true; limit: number | undefined }
  | { offset: bigint; partition: number | undefined };

/** Up to `limit` letters of each partition of the dead-letter topic, oldest first. */
async function readDeadLetters(admin: KafkaAdmin, topic: string, limit: number): Promise<IncomingMessage[]> {
  const dlt = asDeadLetterTopic(topic);
  const [description] = await admin.describeTopics([dlt]);
  const letters: IncomingMessage[] = [];
  for (const p of description?.partitions ?? []) {
    letters.push(...(await admin.readMessages(dlt, { partition: p.partition, limit })));
  }
  return letters;
}

/** `dlq list <topic>`: dead letters with where they came from and why they failed. */
export async function dlqListCommand(
  admin: KafkaAdmin,
  topic: string,
  options: { limit: number; json: boolean },
) {
  const letters = await readDeadLetters(admin, topic, options.limit);
  if (options.json) {
    printJson(letters.map((m) => ({ ...m, value: m.value.toString('utf8') })));
    return 0;
  }
  printTable(
    letters.map((m) => ({
      partition: m.partition,
      offset: m.offset,
      key: m.key,
      from: `${m.headers[HEADERS.dlqOriginalTopic]}:${m.headers[HEADERS.dlqOriginalPartition]}:${m.headers[HEADERS.dlqOriginalOffset]}`,
      group: m.headers[HEADERS.dlqConsumerGroup],
      attempts: m.headers[HEADERS.dlqAttempts],
      error: (m.headers[HEADERS.dlqError] ?? '').slice(0, 80),
    })),
  );
  return 0;
}

/**
 * `dlq redrive <topic> --all [--limit n] | --offset n [--partition p]`: re-publishes dead letters to
 * their original topic (the shared redrive of @kafka-poc/outbox, as the console does) and reports
 * how many went, how many were left unread and why, and where it stopped in each partition.
 */
export async function dlqRedriveCommand(
  admin: KafkaAdmin,
  producer: KafkaProducer,
  topic: string,
  selection: RedriveSelection,
  options: { json: boolean },
): Promise<number> {
  let report: RedriveReport;
  try {
    report =
      'all' in selection
        ? await redriveAll(admin, producer, topic, { limit: selection.limit })
        : await redriveOne(admin, producer, topic, {
            partition: selection.partition ?? (await onlyPartition(admin, topic)),
            offset: selection.offset,
          });
  } catch (error) {
    if (!(error instanceof RedriveError)) throw error;
    process.stderr.write(`dlq redrive: ${error.message}; nothing redriven\n`);
    return 1;
  }
  if (options.json) printJson(report);
  else printReport(report, selection);
  if (report.stoppedBy !== undefined) return 1;
  return report.redriven > 0 ? 0 : 1;
}

/** --partition may be left out only when the dead-letter topic has one partition. */
async function onlyPartition(admin: KafkaAdmin, topic: string): Promise<number> {
  const dlt = asDeadLetterTopic(topic);
  const [description] = await admin.describeTopics([dlt]);
  const count = description?.partitions.length ?? 0;
  if (count !== 1)
    throw new UsageError(`dlq redrive: --partition is required, ${dlt} has ${count} partitions`);
  return 0;
}

export function printReport(report: RedriveReport, selection: RedriveSelection, out = process.stdout): void {
  if ('all' in selection) {
    printTable(
      report.partitions.map((p) => ({
        partition: p.partition,
        letters: p.end - p.first,
        redriven: p.redriven,
        'stopped at': p.next,
        left: p.end - p.next,
      })),
      out,
    );
    out.write('\n');
  }
  out.write(`${redriveSummary(report, selection)}\n`);
}

export function redriveSummary(report: RedriveReport, selection: RedriveSelection): string {
  const to = report.targets.length > 0 ? ` to ${report.targets.join(', ')}` : '';
  const lines = [`redriven ${report.redriven} letter(s) from ${report.topic}${to}`];
  if (report.stoppedBy !== undefined) {
    lines.push(
      `stopped early: ${report.stoppedBy} (the counts above were acknowledged; running it again is harmless, consumers are idempotent)`,
    );
  }
  const why = [];
  if (report.leftBehind > 0) {
    const reason =
      'offset' in selection
        ? 'not selected by --offset'
        : selection.limit !== undefined && report.redriven >= selection.limit
          ? `beyond --limit ${selection.limit}`
          : 'not reached';
    why.push(`${report.leftBehind} ${reason}`);
  }
  if (report.arrived > 0) why.push(`${report.arrived} arrived during the run`);
  const left = report.leftBehind + report.arrived;
  lines.push(
    left === 0
      ? `left unread: 0 (every letter in ${report.topic} at the start was redriven)`
      : `left unread: ${left} (${why.join(', ')}); they stay in ${report.topic}`,
  );
  if ('all' in selection && report.redriven === 0 && report.stoppedBy === undefined) {
    lines.push(`nothing to redrive: ${report.topic} is empty`);
  }
  return lines.join('\n');
}
