import { describe, expect, it } from 'vitest';
import { declaredRetryable, ServiceError } from './service-error.ts';

class ExampleError extends ServiceError<'EXAMPLE'> {}

describe('ServiceError', () => {
  it('carries a code, the cause and retryability, and names itself after the subclass', () => {
    const cause = new Error('socket hang up');
    const error = new ExampleError('EXAMPLE', 'could not reach it', { cause, retryable: true });
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.name).toBe('ExampleError');
    expect(error.code).toBe('EXAMPLE');
    expect(error.cause).toBe(cause);
    expect(declaredRetryable(error)).toBe(true);
  });

  it('says nothing about errors that are not ServiceErrors', () => {
    expect(declaredRetryable(new Error('x'))).toBeUndefined();
    expect(declaredRetryable({ retryable: true })).toBeUndefined();
  });
});
