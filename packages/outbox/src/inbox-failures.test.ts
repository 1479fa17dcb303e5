import { DbError } from '@kafka-poc/db';
import { KafkaError } from '@kafka-poc/kafka';
import { describe, expect, it } from 'vitest';
import { describeFailure, failureKind, InboxError, rejectEvent, retryReason } from './inbox-failures.ts';

const pg = (code: string, message = code) =>
  new Error('Failed query: insert', { cause: Object.assign(new Error(message), { code }) });

describe('failureKind', () => {
  it('blames the environment for timeouts, deadlocks, deploys, connections and Kafka', () => {
    for (const error of [
      pg('57014'),
      pg('40P01'),
      pg('42P01'),
      pg('08006'),
      new Error('timeout exceeded when trying to connect'),
      new KafkaError('KAFKA_PRODUCE_FAILED', 'Unknown topic x.DLT', { retryable: false }),
      new DbError('DB_UNAVAILABLE', 'down', { retryable: true }),
    ]) {
      expect(failureKind(error), String(error)).toBe('environment');
    }
  });

  it('tells value rejections and rule failures from other integrity violations and the unknown', () => {
    expect(failureKind(pg('22P02'))).toBe('value');
    expect(failureKind(pg('23514'))).toBe('value');
    expect(failureKind(rejectEvent('no such customer, ever'))).toBe('value');
    expect(failureKind(pg('23505'))).toBe('data');
    expect(failureKind(pg('23503'))).toBe('data');
    expect(failureKind(pg('42601'))).toBe('unknown');
    expect(failureKind(new TypeError('x is undefined'))).toBe('unknown');
  });

  it('judges a retry error by its cause', () => {
    const wrapped = new InboxError('BATCH_NOT_APPLIED', 'retrying', { cause: pg('23505'), retryable: true });
    expect(failureKind(wrapped)).toBe('data');
    expect(retryReason(wrapped)).toBe('unclassified');
    expect(retryReason(pg('57014'))).toBe('environment');
    expect(retryReason(new InboxError('EVENT_UNSUPPORTED', 'v2', { retryable: true }))).toBe(
      'unsupported_event',
    );
  });
});

describe('describeFailure', () => {
  it('names the database error and its SQLSTATE rather than the query wrapper', () => {
    expect(describeFailure(pg('23514', 'violates check constraint "unlucky"'))).toBe(
      'Error: violates check constraint "unlucky" (SQLSTATE 23514)',
    );
  });
});
