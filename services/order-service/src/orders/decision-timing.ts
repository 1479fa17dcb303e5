import type { ClusterTimings } from '@kafka-poc/kafka';
import { FAILOVER_SLACK_MS, longestFailover, seconds } from '@kafka-poc/service-kit';

export interface DecisionTimingSettings {
  decisionTimeoutMs: number;
  expiryIntervalMs: number;
  relayTakeoverMs: number;
}

/**
 * The rule an order's expiry must keep (docs/architecture.md, "Timeouts an order crosses"): one
 * failed instance or broker can hold an order's hop for the longest failover of the groups it
 * crosses (inventory-service, order-service), the relay takeover or a broker's fencing; an order
 * must not expire meanwhile. So ORDER_DECISION_TIMEOUT ≥ that failover + 15 s of slack, and the
 * expiry look (every ORDER_EXPIRY_INTERVAL) comes well within the timeout.
 */
export function decisionTimingProblems(settings: DecisionTimingSettings, timings: ClusterTimings): string[] {
  const problems: string[] = [];
  const failover = longestFailover(timings, settings.relayTakeoverMs);
  const neededMs = failover.ms + FAILOVER_SLACK_MS;
  if (settings.decisionTimeoutMs < neededMs) {
    problems.push(
      `ORDER_DECISION_TIMEOUT ${seconds(settings.decisionTimeoutMs)} is shorter than one failure can hold an ` +
        `order: ${failover.what} + ${seconds(FAILOVER_SLACK_MS)} slack = ${seconds(neededMs)}; rule: ` +
        'ORDER_DECISION_TIMEOUT ≥ longest failover (consumer groups, relay takeover, broker) + 15 s ' +
        '(docs/architecture.md, "Timeouts an order crosses")',
    );
  }
  if (settings.expiryIntervalMs * 2 > settings.decisionTimeoutMs) {
    problems.push(
      `ORDER_EXPIRY_INTERVAL ${seconds(settings.expiryIntervalMs)} is more than half of ORDER_DECISION_TIMEOUT ` +
        `${seconds(settings.decisionTimeoutMs)}: an order would stay PENDING up to ` +
        `${seconds(settings.decisionTimeoutMs + settings.expiryIntervalMs)}; rule: ORDER_EXPIRY_INTERVAL ≤ ORDER_DECISION_TIMEOUT / 2`,
    );
  }
  return problems;
}
