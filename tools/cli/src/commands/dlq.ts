import { deadLetterTopic, HEADERS } from '@kafka-poc/contracts';
import type { IncomingMessage, KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import { printJson, printTable } from '../output.ts';

/** Accepts either the original topic or its dead-letter topic. */
export function dltName(topic: string): string {
  return topic.endsWith('.DLT') ? topic : deadLetterTopic(topic);
}

export async function readDeadLetters(
  admin: KafkaAdmin,
  topic: string,
  limit: number,
): Promise<IncomingMessage[]> {
  const dlt = dltName(topic);
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
 * `dlq redrive <topic> [--all | --offset n [--partition p]]`: re-publishes dead letters to their
 * original topic with their original key, value and headers (minus the dlq-* ones). Consumers are
 * idempotent, so redriving a letter twice has one effect; a letter that is still invalid returns to
 * the dead-letter topic.
 */
export async function dlqRedriveCommand(
  admin: KafkaAdmin,
  producer: KafkaProducer,
  topic: string,
  options: { all: boolean; offset?: bigint | undefined; partition?: number | undefined },
): Promise<number> {
  if (!options.all && options.offset === undefined) {
    process.stderr.write('dlq redrive: pass --all or --offset <n> [--partition <p>]\n');
    return 2;
  }
  const letters = (await readDeadLetters(admin, topic, 10_000)).filter(
    (m) =>
      options.all ||
      (m.offset === options.offset && (options.partition === undefined || m.partition === options.partition)),
  );
  if (letters.length === 0) {
    process.stderr.write('dlq redrive: no matching dead letter\n');
    return 1;
  }
  await producer.send(letters.map(toOriginal));
  process.stdout.write(`redriven ${letters.length} message(s) from ${dltName(topic)}\n`);
  return 0;
}

function toOriginal(letter: IncomingMessage) {
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([k]) => !k.startsWith('dlq-')));
  headers[HEADERS.dlqRedrivenFrom] = `${letter.topic}:${letter.partition}:${letter.offset}`;
  return {
    topic: letter.headers[HEADERS.dlqOriginalTopic] ?? letter.topic.replace(/\.DLT$/, ''),
    ...(letter.key !== undefined ? { key: letter.key } : {}),
    value: letter.value,
    headers,
  };
}
