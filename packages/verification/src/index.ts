export { type CheckFigures, type CheckInput, type CheckResult, checkPipeline } from './checker.ts';
export {
  CHECKER_DB_DEADLINE_MS,
  type CheckerClient,
  type CheckerClientFactory,
  type CheckerDbOptions,
  describeTarget,
  query,
  withConnection,
} from './db.ts';
export {
  type DeadLetterLog,
  type EventLog,
  readDeadLetters,
  readEventLog,
  type Topics,
} from './event-log.ts';
export { type PipelineFacts, readFacts, type StoredOrder } from './facts.ts';
export {
  type ClientHistory,
  checkDelivered,
  checkEventInvariants,
  checkInvariants,
  describeViolation,
  INVARIANTS,
  type Invariant,
  sortViolations,
  type Violation,
} from './invariants.ts';
export { type ConsumerGroup, lagProblems, totalLag } from './lag.ts';
export {
  combineLoads,
  LOAD_ITEMS,
  LOAD_SEED,
  type LoadOptions,
  type LoadProgress,
  type LoadResult,
  loadOrder,
  type Outcome,
  parseStockSeed,
  type RequestSample,
  type RunningLoad,
  startLoad,
} from './load-generator.ts';
export { outstandingWork, waitUntilSettled } from './settle.ts';
