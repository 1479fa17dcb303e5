// One definition for every service that takes an Idempotency-Key (orders, cancels, stock adjustments).
export { IDEMPOTENCY_SCOPE_SEPARATOR, scopedIdempotencyKey } from '@kafka-poc/contracts';
