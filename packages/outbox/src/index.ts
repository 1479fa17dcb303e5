export { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
export { claimEvents, forgetEvents, type InboxEntry } from './inbox.ts';
export {
  type ConsumedEvent,
  createInboxBatchHandler,
  type EventTracer,
  type InboxHandlerHooks,
  type InboxHandlerOptions,
} from './inbox-handler.ts';
export { appendToOutbox, type OutboxMessage } from './outbox-writer.ts';
export { OutboxRelay, type OutboxRelayHooks, type OutboxRelayOptions, type RelayState } from './relay.ts';
export {
  defineInboxTable,
  defineOutboxTable,
  type InboxTable,
  type OutboxTable,
  outboxChannel,
  outboxNotifyTriggerSql,
} from './tables.ts';
