import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';
import { assignProducedOffsets } from './produced-offsets.ts';

describe('assignProducedOffsets', () => {
  it('gives the records of one partition consecutive offsets from its base offset, in input order', () => {
    const messages = [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
      { topic: 'a', partition: 0 },
    ];
    const base = [
      { topic: 'a', partition: 0, offset: 10n },
      { topic: 'a', partition: 1, offset: 3n },
      { topic: 'b', partition: 0, offset: 0n },
    ];
    expect(assignProducedOffsets(messages, base).map((o) => `${o.topic}:${o.partition}@${o.offset}`)).toEqual(
      ['a:0@10', 'a:1@3', 'a:0@11', 'b:0@0', 'a:0@12'],
    );
  });

  it('fails when the broker acknowledged no base offset for a partition', () => {
    expect(() => assignProducedOffsets([{ topic: 'a', partition: 2 }], [])).toThrow(KafkaError);
  });
});
