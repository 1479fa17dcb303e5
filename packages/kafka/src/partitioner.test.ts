import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';
import { choosePartition, createRoundRobin, keyPartition } from './partitioner.ts';

// Expected values computed with the Java client (kafka-clients 4.4.0):
// Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % partitions.
const javaVectors: [string, number, number][] = [
  ['a', 1, 4],
  ['ab', 2, 2],
  ['abc', 0, 3],
  ['abcd', 2, 8],
  ['order-1', 1, 10],
  ['order-42', 0, 0],
  ['customer-7f3c', 0, 0],
  ['日本語キー', 1, 10],
  ['', 0, 9],
];

describe('keyPartition', () => {
  it.each(javaVectors)('puts %j where the Java client does', (key, of3, of12) => {
    expect(keyPartition(key, 3)).toBe(of3);
    expect(keyPartition(key, 12)).toBe(of12);
  });
});

describe('choosePartition', () => {
  const roundRobin = createRoundRobin();

  it('prefers an explicit partition over the key', () => {
    expect(choosePartition({ topic: 't', key: 'order-1', value: 'v', partition: 2 }, 3, roundRobin)).toBe(2);
  });

  it('rejects a partition the topic does not have', () => {
    expect(() => choosePartition({ topic: 't', value: 'v', partition: 3 }, 3, roundRobin)).toThrow(
      KafkaError,
    );
    expect(() => choosePartition({ topic: 't', value: 'v', partition: -1 }, 3, roundRobin)).toThrow(
      KafkaError,
    );
  });

  it('hashes the key when there is no explicit partition', () => {
    expect(choosePartition({ topic: 't', key: 'order-1', value: 'v' }, 3, roundRobin)).toBe(1);
  });

  it('spreads keyless messages round-robin per topic', () => {
    const next = createRoundRobin();
    const pick = (topic: string) => choosePartition({ topic, value: 'v' }, 3, next);
    expect([pick('a'), pick('a'), pick('b'), pick('a'), pick('a')]).toEqual([0, 1, 0, 2, 0]);
  });
});
