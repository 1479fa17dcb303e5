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

const SASL_FAILURES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
]);

/** The broker refused our SASL credentials or mechanism: the same configuration will never succeed. */
export function isAuthenticationFailure(error: unknown): boolean {
  return errorChain(error).some(
    (e) =>
      (e as Error & { code?: unknown }).code === 'PLT_KFK_AUTHENTICATION' ||
      (e.apiId !== undefined && SASL_FAILURES.has(e.apiId)),
  );
}

/** Node's certificate verification failures (tls.connect with rejectUnauthorized). */
const CERTIFICATE_FAILURES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * TLS could not be established for a reason the same configuration will meet again: the broker's
 * certificate is not trusted or does not match, the broker rejected ours (TLS alerts), or one side
 * speaks TLS and the other does not.
 */
export function isTlsFailure(error: unknown): boolean {
  return errorChain(error).some((e) => {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && (CERTIFICATE_FAILURES.has(code) || code.startsWith('ERR_SSL_'))) {
      return true;
    }
    return /^(Broker requires TLS|TLS handshake failed)/.test(e.message);
  });
}

/** Whether trying the same operation again later can succeed. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KafkaError) return error.retryable;
  if (isAuthenticationFailure(error) || isTlsFailure(error)) return false;
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
  // A security failure says more than the operation's code: the fix is configuration, not patience.
  // TLS first: a TLS mismatch also breaks the SASL handshake that follows it.
  if (isTlsFailure(error)) {
    const hint = 'check the trusted CA, the client certificate and that the listener speaks TLS';
    return new KafkaError('KAFKA_TLS_FAILED', `${message}: ${describe(error)} (${hint})`, {
      cause: error,
      retryable: false,
    });
  }
  if (isAuthenticationFailure(error)) {
    const hint = closedDuringHandshake(error)
      ? 'the broker closed the connection during the SASL handshake: does the listener expect TLS?'
      : 'check the SASL mechanism, user name and password';
    return new KafkaError('KAFKA_AUTH_FAILED', `${message}: ${describe(error)} (${hint})`, {
      cause: error,
      retryable: false,
    });
  }
  return new KafkaError(code, `${message}: ${describe(error)}`, {
    cause: error,
    retryable: isRetryable(error),
  });
}

/** A broker speaking TLS drops a plaintext SASL handshake without an answer. */
function closedDuringHandshake(error: unknown): boolean {
  const chain = errorChain(error);
  return (
    chain.some((e) => e.message.startsWith('Cannot find a suitable SASL mechanism')) &&
    chain.some((e) => e.message === 'Connection closed') &&
    !chain.some((e) => e.apiId === 'UNSUPPORTED_SASL_MECHANISM')
  );
}

/** The innermost messages say what went wrong; the outer ones only say "failed N times". */
function describe(error: unknown): string {
  const chain = errorChain(error);
  if (chain.length === 0) return String(error);
  const leaves = chain.filter((e) => !Array.isArray(e.errors) || e.errors.length === 0).map((e) => e.message);
  const unique = [...new Set(leaves)].slice(0, 3);
  return unique.length > 0 ? unique.join('; ') : (chain[0]?.message ?? String(error));
}
