import type { KafkaAdmin } from '@kafka-poc/kafka';
import type { CheckerDbOptions } from './db.ts';
import { readDeadLetters, readEventLog, type Topics } from './event-log.ts';
import { readFacts } from './facts.ts';
import {
  type ClientHistory,
  checkDelivered,
  checkEventInvariants,
  checkInvariants,
  sortViolations,
  type Violation,
} from './invariants.ts';
import { type ConsumerGroup, lagProblems } from './lag.ts';

export interface CheckInput {
  databaseUrl: string;
  /** An admin on the brokers (the checker only reads topics and group offsets with it). */
  admin: KafkaAdmin;
  topics: Topics;
  groups: ConsumerGroup[];
  initialStock: Map<string, number>;
  history: ClientHistory;
  /** How reads wait out a Postgres outage (deadline, backoff, a log of retries); defaults otherwise. */
  db?: CheckerDbOptions;
}

export interface CheckFigures {
  accepted: number;
  stored: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  expired: number;
  pending: number;
  /** Reservations given back (their order was cancelled or expired after inventory reserved). */
  released: number;
  reservations: number;
  notifications: number;
  /** Stored orders whose key no 201 answered (a timeout, reset or 5xx whose order exists anyway). */
  storedWithoutAck: number;
  /** Stored orders by what their client was told (with history.outcomes), e.g. {"201": …, "timeout": …}. */
  storedByOutcome: Record<string, number>;
  orderEventRecords: number;
  decisionEventRecords: number;
  /** Records whose event id was already on the topic (producer retries, relay re-publishes). */
  orderEventCopies: number;
  decisionEventCopies: number;
  deadLetters: number;
  inventoryInbox: number;
  orderInbox: number;
  notificationInbox: number;
}

export interface CheckResult {
  /** Every violated invariant, ordered as INVARIANTS; empty = nothing lost, nothing duplicated. */
  violations: Violation[];
  figures: CheckFigures;
}

/**
 * The independent checker: reads only Postgres tables and Kafka topics (and what clients were
 * told), never a service's API or metrics, and reports every invariant it finds violated.
 */
export async function checkPipeline(input: CheckInput): Promise<CheckResult> {
  const facts = await readFacts(input.databaseUrl, input.db);
  const log = await readEventLog(input.admin, input.topics);
  const deadLetters = await readDeadLetters(input.admin, input.topics);
  const lag = await lagProblems(input.admin, input.groups);
  const violations = sortViolations([
    ...checkInvariants(facts, input.initialStock, input.history),
    ...checkDelivered(facts),
    ...checkEventInvariants(facts, log),
    ...deadLetters.valid.map((detail) => ({ invariant: 'dead-letters' as const, detail })),
    ...lag.map((detail) => ({ invariant: 'no-lag' as const, detail })),
  ]);
  const acked = new Set(input.history.accepted);
  const count = (status: string) => facts.orders.filter((o) => o.status === status).length;
  return {
    violations,
    figures: {
      accepted: input.history.accepted.length,
      stored: facts.orders.length,
      confirmed: count('CONFIRMED'),
      rejected: count('REJECTED'),
      cancelled: count('CANCELLED'),
      expired: count('EXPIRED'),
      pending: count('PENDING'),
      released: facts.reservations.filter((r) => r.status === 'RELEASED').length,
      reservations: facts.reservations.length,
      notifications: facts.notifications.length,
      storedWithoutAck: facts.orders.filter((o) => !acked.has(o.id)).length,
      storedByOutcome: storedByOutcome(facts.orders, input.history.outcomes),
      orderEventRecords: log.records.orderEvents,
      decisionEventRecords: log.records.inventoryEvents,
      orderEventCopies: log.copies.orderEvents,
      decisionEventCopies: log.copies.inventoryEvents,
      deadLetters: deadLetters.records,
      inventoryInbox: facts.inbox.inventory.size,
      orderInbox: facts.inbox.order.size,
      notificationInbox: facts.inbox.notification.size,
    },
  };
}

function storedByOutcome(
  orders: { idempotency_key: string | null }[],
  outcomes: Map<string, string> | undefined,
): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!outcomes) return counts;
  for (const o of orders) {
    const outcome = (o.idempotency_key !== null && outcomes.get(o.idempotency_key)) || 'unknown';
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}
