import { KafkaError } from '@kafka-poc/kafka';
import type { AppError } from '@kafka-poc/service-kit';
import { describe, expect, it } from 'vitest';
import { toHttpError } from './problem.ts';

describe('toHttpError', () => {
  const kafka = (code: KafkaError['code'], retryable = false) => new KafkaError(code, 'msg', { retryable });

  it('maps Kafka error codes to HTTP-meaningful app errors', () => {
    expect((toHttpError(kafka('TOPIC_NOT_FOUND')) as AppError).code).toBe('NOT_FOUND');
    expect((toHttpError(kafka('GROUP_NOT_EMPTY')) as AppError).code).toBe('CONFLICT');
    expect((toHttpError(kafka('INVALID_ARGUMENT')) as AppError).code).toBe('VALIDATION_FAILED');
    expect((toHttpError(kafka('KAFKA_UNREACHABLE', true)) as AppError).code).toBe('UNAVAILABLE');
    expect((toHttpError(kafka('KAFKA_ADMIN_FAILED', true)) as AppError).code).toBe('UNAVAILABLE');
  });

  it('leaves other errors alone', () => {
    const fatal = kafka('KAFKA_ADMIN_FAILED');
    expect(toHttpError(fatal)).toBe(fatal);
    const other = new Error('x');
    expect(toHttpError(other)).toBe(other);
  });
});
