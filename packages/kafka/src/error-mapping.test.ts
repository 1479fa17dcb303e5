import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  UserError,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import {
  hasApiError,
  isAuthenticationFailure,
  isClientClosed,
  isRetryable,
  isTlsFailure,
  toKafkaError,
} from './error-mapping.ts';
import { KafkaError } from './errors.ts';

describe('error mapping', () => {
  it('treats network trouble as retryable', () => {
    const error = new MultipleErrors('produce failed 3 times.', [new NetworkError('Connection closed')]);
    expect(isRetryable(error)).toBe(true);
  });

  it('treats errors the library flags canRetry=false as final', () => {
    expect(isRetryable(new ProtocolError('INVALID_TOPIC_EXCEPTION'))).toBe(false);
  });

  it('treats an unknown topic as final', () => {
    expect(isRetryable(new UserError('Unknown topic orders.'))).toBe(false);
  });

  it('treats an operation cut short by our own close as retryable', () => {
    const error = new MultipleErrors('produce failed 2 times.', [
      new UserError('Client closed while retrying produce.'),
    ]);
    expect(isClientClosed(error)).toBe(true);
    expect(isRetryable(error)).toBe(true);
    const poolClosed = new NetworkError('Connection pool is closed.', { canRetry: false, closed: true });
    expect(isClientClosed(poolClosed)).toBe(true);
    expect(isRetryable(poolClosed)).toBe(true);
  });

  it('finds protocol errors nested in aggregates', () => {
    const error = new MultipleErrors('Creating topics failed.', [
      new MultipleErrors('x', [new ProtocolError('TOPIC_ALREADY_EXISTS')]),
    ]);
    expect(hasApiError(error, 'TOPIC_ALREADY_EXISTS')).toBe(true);
    expect(hasApiError(error, 'NOT_CONTROLLER')).toBe(false);
  });

  it('wraps with our code, keeps the cause and names the innermost reason', () => {
    const cause = new MultipleErrors('produce failed 1 times.', [new UserError('Unknown topic nope.')]);
    const error = toKafkaError('KAFKA_PRODUCE_FAILED', 'Producing failed', cause);
    expect(error).toBeInstanceOf(KafkaError);
    expect(error.code).toBe('KAFKA_PRODUCE_FAILED');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('Unknown topic nope.');
    expect(error.retryable).toBe(false);
  });

  it('re-codes a KafkaError of another code but keeps its retryability', () => {
    const inner = new KafkaError('INVALID_ARGUMENT', 'bad partition', { retryable: false });
    const outer = toKafkaError('KAFKA_PRODUCE_FAILED', 'Producing failed', inner);
    expect(outer.code).toBe('KAFKA_PRODUCE_FAILED');
    expect(outer.retryable).toBe(false);
    expect(outer.cause).toBe(inner);
  });
});

describe('security failures', () => {
  it('maps a refused SASL login to KAFKA_AUTH_FAILED, not retryable', () => {
    const error = new MultipleErrors('metadata failed 4 times.', [
      new NetworkError('Connection to 127.0.0.1:9092 failed.', {
        cause: new AuthenticationError('SASL authentication failed.', {
          cause: new ProtocolError('SASL_AUTHENTICATION_FAILED'),
        }),
      }),
    ]);
    expect(isAuthenticationFailure(error)).toBe(true);
    expect(isRetryable(error)).toBe(false);
    const mapped = toKafkaError('KAFKA_UNREACHABLE', 'Cannot reach Kafka', error);
    expect(mapped).toMatchObject({ code: 'KAFKA_AUTH_FAILED', retryable: false });
    expect(mapped.message).toMatch(/SASL authentication failed/);
    expect(mapped.cause).toBe(error);
  });

  it('maps certificate and TLS handshake failures to KAFKA_TLS_FAILED, not retryable', () => {
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const rejected = Object.assign(new Error('tlsv13 alert certificate required'), {
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    for (const cause of [untrusted, rejected, new UserError('Broker requires TLS.')]) {
      const error = new MultipleErrors('x', [new NetworkError('Connection failed.', { cause })]);
      expect(isTlsFailure(error)).toBe(true);
      expect(isRetryable(error)).toBe(false);
      expect(toKafkaError('KAFKA_UNREACHABLE', 'Cannot reach Kafka', error)).toMatchObject({
        code: 'KAFKA_TLS_FAILED',
        retryable: false,
      });
    }
  });

  it('leaves plain network trouble alone', () => {
    const error = new NetworkError('Connection to 127.0.0.1:9092 failed.', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(isAuthenticationFailure(error)).toBe(false);
    expect(isTlsFailure(error)).toBe(false);
    expect(toKafkaError('KAFKA_UNREACHABLE', 'Cannot reach Kafka', error)).toMatchObject({
      code: 'KAFKA_UNREACHABLE',
      retryable: true,
    });
  });
});
