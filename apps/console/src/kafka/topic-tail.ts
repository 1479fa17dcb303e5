import type { KafkaAdmin } from '@kafka-poc/kafka';
import { sleep } from '@kafka-poc/resilience';
import type { SseStream } from '../http/sse.ts';
import type { TailEvents } from '../shared/views.ts';
import { type MessageFilter, matchesFilter, toMessageView } from './message-view.ts';

export interface TailOptions {
  topic: string;
  partition?: number | undefined;
  filter: MessageFilter;
  pollMs: number;
  /** Most messages sent per partition and poll; beyond it the tail jumps ahead and says how many it skipped. */
  maxPerPoll?: number;
}

/**
 * Live tail: remembers the end of every partition when it starts, then polls for what was appended
 * and sends each new (matching) message as a `message` event, until the stream closes. A failed
 * poll is reported as a `problem` event and retried on the next tick.
 */
export async function runTail(admin: KafkaAdmin, stream: SseStream, options: TailOptions): Promise<void> {
  const send = <E extends keyof TailEvents>(event: E, data: TailEvents[E]) => stream.send(event, data);
  const maxPerPoll = options.maxPerPoll ?? 200;
  const positions = new Map<number, bigint>();
  const ends = async () => {
    const [description] = await admin.describeTopics([options.topic]);
    return (description?.partitions ?? []).filter(
      (p) => options.partition === undefined || p.partition === options.partition,
    );
  };
  for (const p of await ends()) positions.set(p.partition, p.latestOffset);
  send('ready', {
    topic: options.topic,
    positions: Object.fromEntries([...positions].map(([p, o]) => [p, String(o)])),
  });
  while (!stream.closed) {
    await sleep(options.pollMs, stream.signal);
    if (stream.closed) break;
    try {
      for (const p of await ends()) {
        const from = positions.get(p.partition) ?? p.earliestOffset;
        if (p.latestOffset <= from) continue;
        let start = from;
        if (p.latestOffset - from > BigInt(maxPerPoll)) {
          start = p.latestOffset - BigInt(maxPerPoll);
          send('skipped', { partition: p.partition, count: Number(start - from) });
        }
        const batch = await admin.readMessages(options.topic, {
          partition: p.partition,
          fromOffset: start,
          limit: Number(p.latestOffset - start),
        });
        for (const m of batch) {
          if (matchesFilter(m, options.filter)) send('message', toMessageView(m));
        }
        positions.set(p.partition, (batch.at(-1)?.offset ?? p.latestOffset - 1n) + 1n);
      }
    } catch (error) {
      send('problem', { detail: error instanceof Error ? error.message : String(error) });
    }
  }
}
