export { createAdmin } from './admin.ts';
export { parseBrokers } from './brokers.ts';
export { CLASSIC_HEARTBEAT_INTERVAL_MS, CLASSIC_SESSION_TIMEOUT_MS } from './cluster-timings.ts';
export { type ConsumerRunnerTuning, createConsumerRunner } from './consumer-runner.ts';
export { KafkaError, type KafkaErrorCode } from './errors.ts';
export { OffsetResetSkipsError } from './offset-reset-plan.ts';
export { createProducer, DEFAULT_DELIVERY_TIMEOUT_MS, type ProducerOptions } from './producer.ts';
export type * from './types.ts';
