export { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
export { claimEvents, forgetEvents, type InboxEntry } from './inbox.ts';
export {
  type FailureKind,
  failureKind,
  InboxError,
  type InboxErrorCode,
  type RetryReason,
  rejectEvent,
  retryReason,
} from './inbox-failures.ts';
export {
  type ConsumedEvent,
  createInboxBatchHandler,
  type EventTracer,
  type InboxHandlerHooks,
  type InboxHandlerOptions,
} from './inbox-handler.ts';
export {
  type InboxRetentionOptions,
  inboxRetentionPurger,
  minimumInboxRetentionMs,
} from './inbox-retention.ts';
export { appendToOutbox, type OutboxMessage, outboxInsert } from './outbox-writer.ts';
export {
  type RedriveAllOptions,
  RedriveError,
  type RedriveErrorCode,
  type RedrivePartition,
  type RedriveReport,
  redriveAll,
  redriveMessage,
  redriveOne,
} from './redrive.ts';
export { OutboxRelay, type OutboxRelayHooks, type OutboxRelayOptions, type RelayState } from './relay.ts';
export { type LockLossReason, RelayLockLostError } from './relay-lock.ts';
export { MIN_TAKEOVER_MS, type RelayTiming, relayTiming } from './relay-timing.ts';
export {
  type PurgeResult,
  purgeInterval,
  type RetentionPurgeHooks,
  type RetentionPurgeOptions,
  RetentionPurger,
} from './retention-purge.ts';
export {
  defineInboxTable,
  defineOutboxTable,
  type InboxTable,
  type OutboxTable,
  outboxChannel,
  outboxNotifyTriggerSql,
} from './tables.ts';
