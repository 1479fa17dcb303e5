import { KafkaError, type KafkaErrorCode } from './errors.ts';

type LibraryError = Error & { apiId?: string; canRetry?: boolean; errors?: unknown[] };

/** The error and everything nested in it: the library wraps retries in AggregateErrors and causes. */
export function errorChain(error: unknown, depth = 0): LibraryError[] {
  if (!(error instanceof Error) || depth > 8) return [];
  const current = error as LibraryError;
  const nested = [...(Array.isArray(current.errors) ? current.errors : []), current.cause];
  return [current, ...nested.flatMap((inner) => errorChain(inner, depth + 1))];
}

/** True when the library reports the given Kafka protocol error (e.g. 'TOPIC_ALREADY_EXISTS') anywhere in the chain. */
export function hasApiError(error: unknown, apiId: string): boolean {
  return errorChain(error).some((e) => e.apiId === apiId);
}

/** Whether trying the same operation again later can succeed. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KafkaError) return error.retryable;
  const chain = errorChain(error);
  // A client closed under an operation (our own stop()) says nothing about the request: retry later.
  if (isClientClosed(error)) return true;
  if (chain.some((e) => /^Unknown topic/.test(e.message))) return false;
  // The library flags errors that can never succeed with canRetry=false.
  return chain.length > 0 && !chain.some((e) => e.canRetry === false);
}

/** Connection-level trouble (refused, reset, timed out): the broker may simply be restarting. */
export function isNetworkError(error: unknown): boolean {
  return errorChain(error).some((e) => {
    const code = (e as Error & { code?: unknown }).code;
    return code === 'PLT_KFK_NETWORK' || code === 'PLT_KFK_TIMEOUT';
  });
}

/** The operation was cut short because we closed the client (stop()), not because Kafka refused it. */
export function isClientClosed(error: unknown): boolean {
  return errorChain(error).some((e) => /(client|connection pool) (is )?closed/i.test(e.message));
}

/** Wraps anything thrown by the library as a KafkaError with `code`, keeping it as the cause. */
export function toKafkaError(code: KafkaErrorCode, message: string, error: unknown): KafkaError {
  if (error instanceof KafkaError && error.code === code) return error;
  if (error instanceof KafkaError) {
    return new KafkaError(code, `${message}: ${error.message}`, { cause: error, retryable: error.retryable });
  }
  return new KafkaError(code, `${message}: ${describe(error)}`, {
    cause: error,
    retryable: isRetryable(error),
  });
}

/** The innermost messages say what went wrong; the outer ones only say "failed N times". */
function describe(error: unknown): string {
  const chain = errorChain(error);
  if (chain.length === 0) return String(error);
  const leaves = chain.filter((e) => !Array.isArray(e.errors) || e.errors.length === 0).map((e) => e.message);
  const unique = [...new Set(leaves)].slice(0, 3);
  return unique.length > 0 ? unique.join('; ') : (chain[0]?.message ?? String(error));
}
