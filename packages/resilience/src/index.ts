export { type BackoffOptions, backoffDelay, settlesWithin, sleep } from './backoff.ts';
export { declaredRetryable, ServiceError, type ServiceErrorOptions } from './service-error.ts';
export { TRICKLE_BELOW, TrickleMeter } from './trickle.ts';
