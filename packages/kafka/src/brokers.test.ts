import { describe, expect, it } from 'vitest';
import { parseBrokers, rotate } from './brokers.ts';
import { KafkaError } from './errors.ts';

describe('parseBrokers', () => {
  it('splits a comma-separated list and trims blanks', () => {
    expect(parseBrokers(' localhost:9092, kafka-2:19092 ,')).toEqual(['localhost:9092', 'kafka-2:19092']);
  });

  it('accepts bracketed IPv6 hosts', () => {
    expect(parseBrokers('[::1]:9092')).toEqual(['[::1]:9092']);
  });

  it.each(['', ' , ', 'localhost', 'localhost:', 'localhost:0', 'localhost:70000', 'a:b', '::1:9092'])(
    'rejects %j with INVALID_ARGUMENT',
    (input) => {
      expect(() => parseBrokers(input)).toThrow(KafkaError);
      try {
        parseBrokers(input);
      } catch (error) {
        expect((error as KafkaError).code).toBe('INVALID_ARGUMENT');
        expect((error as KafkaError).retryable).toBe(false);
      }
    },
  );
});

describe('rotate', () => {
  it('starts the list at the given index, wrapping around, and leaves the input alone', () => {
    const brokers = ['a:1', 'b:2', 'c:3'];
    expect(rotate(brokers, 0)).toEqual(['a:1', 'b:2', 'c:3']);
    expect(rotate(brokers, 1)).toEqual(['b:2', 'c:3', 'a:1']);
    expect(rotate(brokers, 5)).toEqual(['c:3', 'a:1', 'b:2']);
    expect(brokers).toEqual(['a:1', 'b:2', 'c:3']);
    expect(rotate([], 3)).toEqual([]);
  });
});
