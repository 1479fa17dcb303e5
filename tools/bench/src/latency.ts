/**
 * Per-order latencies of one load phase, from the generator's samples (HTTP) joined with the
 * timestamps the services stored (end to end). Every order is measured, not a sample of them.
 *
 *   http      intended send → 201 received (includes waiting for a free connection)
 *   decided   201 received → orders.updated_at (the order-service transaction that made it final)
 *   notified  201 received → notifications.created_at (the notification-service transaction)
 *   delivered 201 received → notifications.delivered_at (the dispatcher marked it SENT)
 *   db        orders.created_at → notifications.created_at (server clock only, no client in between)
 *
 * Postgres `now()` is the start of the writing transaction, so end-to-end figures are early by that
 * transaction's duration (see consumer_batch_duration_seconds). Timestamps are ms (timestamp(3)).
 */
import type { StageTimes } from './collect.ts';
import type { NotificationFact, OrderFact } from './exactly-once.ts';
import { Histogram } from './histogram.ts';
import type { LoadSamples } from './load-generator.ts';

export interface SecondStats {
  /** Second of the phase (by intended send time for requests, by stored time for notifications). */
  second: number;
  sent: number;
  accepted: number;
  failed: number;
  /** Notifications stored during this second (end-to-end throughput over time). */
  notified: number;
  httpP50: number;
  httpP99: number;
  decidedP99: number;
  notifiedP50: number;
  notifiedP99: number;
}

export interface PhaseLatencies {
  http: Histogram;
  /** sent → answered, without the wait for a connection or a late timer. */
  service: Histogram;
  /** How late the generator sent (sent − intended): large values mean the generator was starved. */
  sendLag: Histogram;
  decided: Histogram;
  notified: Histogram;
  delivered: Histogram;
  db: Histogram;
  /** End-to-end values below zero (clock granularity or a late-reading client), counted and clamped. */
  negative: { decided: number; notified: number };
  /** Orders answered 201 whose final state or notification was missing (the exactly-once check says more). */
  incomplete: number;
  accepted: number;
  sent: number;
  outcomes: Record<string, number>;
  /** Epoch ms of the last notification stored for an order of this phase. */
  lastNotifiedAt: number | undefined;
  perSecond: SecondStats[];
}

const US = 1000;

export function phaseLatencies(
  samples: LoadSamples,
  orders: Map<string, OrderFact>,
  notifications: Map<string, NotificationFact>,
  outcomeLabel: (code: number) => string,
): PhaseLatencies {
  const result: PhaseLatencies = {
    http: new Histogram(),
    service: new Histogram(),
    sendLag: new Histogram(),
    decided: new Histogram(),
    notified: new Histogram(),
    delivered: new Histogram(),
    db: new Histogram(),
    negative: { decided: 0, notified: 0 },
    incomplete: 0,
    accepted: 0,
    sent: samples.intended.length,
    outcomes: {},
    lastNotifiedAt: undefined,
    perSecond: [],
  };
  const seconds = new Map<
    number,
    { stats: SecondStats; http: Histogram; decided: Histogram; notified: Histogram }
  >();
  const bucket = (second: number) => {
    let entry = seconds.get(second);
    if (!entry) {
      entry = {
        stats: {
          second,
          sent: 0,
          accepted: 0,
          failed: 0,
          notified: 0,
          httpP50: 0,
          httpP99: 0,
          decidedP99: 0,
          notifiedP50: 0,
          notifiedP99: 0,
        },
        http: new Histogram(),
        decided: new Histogram(),
        notified: new Histogram(),
      };
      seconds.set(second, entry);
    }
    return entry;
  };

  for (let i = 0; i < samples.intended.length; i++) {
    const intended = samples.intended[i] ?? 0;
    const done = samples.done[i] ?? 0;
    const sent = samples.sent[i] ?? 0;
    const outcome = samples.outcome[i] ?? 0;
    const label = outcomeLabel(outcome);
    result.outcomes[label] = (result.outcomes[label] ?? 0) + 1;
    const second = bucket(Math.floor(intended / 1000));
    second.stats.sent++;
    result.sendLag.record((sent - intended) * US);
    const id = samples.ids[i];
    if (outcome !== 201 || !id) {
      second.stats.failed++;
      continue;
    }
    result.accepted++;
    second.stats.accepted++;
    result.http.record((done - intended) * US);
    result.service.record((done - sent) * US);
    second.http.record((done - intended) * US);

    const answeredAt = samples.epochStart + done;
    const order = orders.get(id);
    const note = notifications.get(id);
    if (!order || order.status === 'PENDING' || !note) {
      result.incomplete++;
      continue;
    }
    const decided = order.updatedAt - answeredAt;
    const notified = note.createdAt - answeredAt;
    if (decided < 0) result.negative.decided++;
    if (notified < 0) result.negative.notified++;
    result.decided.record(decided * US);
    result.notified.record(notified * US);
    second.decided.record(decided * US);
    second.notified.record(notified * US);
    result.db.record((note.createdAt - order.createdAt) * US);
    if (note.deliveredAt !== undefined) result.delivered.record((note.deliveredAt - answeredAt) * US);
    result.lastNotifiedAt = Math.max(result.lastNotifiedAt ?? 0, note.createdAt);
    bucket(Math.floor((note.createdAt - samples.epochStart) / 1000)).stats.notified++;
  }

  result.perSecond = [...seconds.values()]
    .sort((a, b) => a.stats.second - b.stats.second)
    .map(({ stats, http, decided, notified }) => ({
      ...stats,
      httpP50: http.percentile(50) / US,
      httpP99: http.percentile(99) / US,
      decidedP99: decided.percentile(99) / US,
      notifiedP50: notified.percentile(50) / US,
      notifiedP99: notified.percentile(99) / US,
    }));
  return result;
}

/**
 * Throughput of a phase: offered (scheduled), accepted (201s) and end to end (orders notified per
 * second from the first arrival until the last notification, so a backlog left at the end lowers it).
 */
export function phaseThroughput(
  latencies: PhaseLatencies,
  samples: LoadSamples,
  durationMs: number,
): { offered: number; accepted: number; endToEnd: number; drainMs: number | undefined } {
  const seconds = durationMs / 1000;
  const notified = latencies.notified.count;
  const spanMs =
    latencies.lastNotifiedAt === undefined ? undefined : latencies.lastNotifiedAt - samples.epochStart;
  return {
    offered: latencies.sent / seconds,
    accepted: latencies.accepted / seconds,
    endToEnd: spanMs === undefined ? 0 : notified / (Math.max(spanMs, durationMs) / 1000),
    drainMs: spanMs === undefined ? undefined : Math.max(0, spanMs - durationMs),
  };
}

export const STAGES = [
  'order tx → order.created published (relay)',
  'published → inventory decision tx (consumer)',
  'decision tx → decision published (relay)',
  'decision published → notification tx (order status tx, its event published, consumed)',
  'decision published → order status tx (consumer)',
] as const;

/**
 * Where the end-to-end time goes, hop by hop, from the services' own timestamps: order
 * created_at → order_outbox.sent_at → reservations.created_at → inventory_outbox.sent_at →
 * notifications.created_at / orders.updated_at (notification-service reads order-events, so its hop
 * includes order-service's status transaction and that event's relay). A hop can come out slightly negative (a consumer
 * may read a record before the relay's UPDATE marks it sent); those count as 0.
 */
export function stageLatencies(
  orders: OrderFact[],
  notifications: Map<string, NotificationFact>,
  stages: StageTimes,
): { name: (typeof STAGES)[number]; histogram: Histogram }[] {
  const hops = STAGES.map((name) => ({ name, histogram: new Histogram() }));
  const add = (index: number, from: number | undefined, to: number | undefined) => {
    if (from !== undefined && to !== undefined) hops[index]?.histogram.record((to - from) * US);
  };
  for (const order of orders) {
    const published = stages.orderPublished.get(order.id);
    const decided = stages.decided.get(order.id);
    const decisionPublished = stages.decisionPublished.get(order.id);
    add(0, order.createdAt, published);
    add(1, published, decided);
    add(2, decided, decisionPublished);
    add(3, decisionPublished, notifications.get(order.id)?.createdAt);
    add(4, decisionPublished, order.status === 'PENDING' ? undefined : order.updatedAt);
  }
  return hops;
}
