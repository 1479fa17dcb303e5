export { type BackoffOptions, backoffDelay, settlesWithin, sleep } from './backoff.ts';
export { declaredRetryable, ServiceError, type ServiceErrorOptions } from './service-error.ts';
export { TrickleMeter } from './trickle.ts';
