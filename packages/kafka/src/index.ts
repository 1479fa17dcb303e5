export { createAdmin } from './admin.ts';
export { parseBrokers } from './brokers.ts';
export { type ConsumerRunnerTuning, createConsumerRunner } from './consumer-runner.ts';
export { KafkaError, type KafkaErrorCode } from './errors.ts';
export { OffsetResetSkipsError } from './offset-reset-plan.ts';
export { createProducer, type ProducerOptions } from './producer.ts';
export type * from './types.ts';
