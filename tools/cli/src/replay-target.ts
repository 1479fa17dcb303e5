import type { OffsetResetTarget } from '@kafka-poc/kafka';
import { parseInstant } from './args.ts';

/**
 * Parses `--to`: earliest | latest | an ISO-8601 time with a zone | topic:partition:offset
 * (repeatable, comma separated). Returns an error message instead of throwing, for a clear CLI answer.
 */
export function parseReplayTarget(text: string): OffsetResetTarget | { error: string } {
  if (text === 'earliest') return { kind: 'earliest' };
  if (text === 'latest') return { kind: 'latest' };
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const timestamp = parseInstant(text);
    return typeof timestamp === 'number' ? { kind: 'timestamp', timestamp } : timestamp;
  }
  const offsets = [];
  for (const part of text.split(',')) {
    const match = /^(.+):(\d+):(\d+)$/.exec(part.trim());
    if (!match?.[1] || !match[2] || !match[3]) {
      return { error: `"${part}" is not earliest, latest, an ISO-8601 time or topic:partition:offset` };
    }
    offsets.push({ topic: match[1], partition: Number(match[2]), offset: BigInt(match[3]) });
  }
  return { kind: 'offsets', offsets };
}
