import {
  CLASSIC_HEARTBEAT_INTERVAL_MS,
  CLASSIC_SESSION_TIMEOUT_MS,
  type ClusterTimings,
  DEFAULT_DELIVERY_TIMEOUT_MS,
} from '@kafka-poc/kafka';

/*
 * The timeouts an order crosses (docs/architecture.md, "Timeouts an order crosses"). One stopped or
 * frozen instance holds the events of its partitions, or of its outbox, until another instance takes
 * over: a consumer group moves a silent member's partitions after its session timeout, at the next
 * heartbeat of a survivor; a standby relay takes the outbox over after OUTBOX_RELAY_TAKEOVER_MS; a
 * silent broker's leaderships move after broker.session.timeout.ms. The longest of these is what a
 * single failure can add to a hop, and anything that gives up on an order (the decision timeout)
 * must wait longer than that, with slack for the new owner to catch up.
 */

/** Slack on top of a failover: the new owner's rejoin round trips and its catch-up of the backlog. */
export const FAILOVER_SLACK_MS = 15_000;

/** Time for leaders to be re-elected and clients to learn them, once a silent broker is fenced. */
const LEADER_MOVE_MS = 30_000;

export interface FailoverPart {
  /** What fails over, e.g. "group inventory-service (session 45 s + heartbeat 5 s)". */
  what: string;
  ms: number;
}

/**
 * How long one failed instance or broker can hold a hop through these groups: the longest of their
 * failovers (each group either protocol: the consumer protocol's session comes from the broker,
 * the classic one is ours), the relay takeover and a broker's fencing.
 */
export function longestFailover(timings: ClusterTimings, relayTakeoverMs: number): FailoverPart {
  const parts: FailoverPart[] = [
    ...timings.groups.map((group) => ({
      what: `group ${group.groupId} (session ${seconds(group.sessionTimeoutMs)} + heartbeat ${seconds(group.heartbeatIntervalMs)})`,
      ms: group.sessionTimeoutMs + group.heartbeatIntervalMs,
    })),
    {
      what: `a classic-protocol member (session ${seconds(CLASSIC_SESSION_TIMEOUT_MS)} + heartbeat ${seconds(CLASSIC_HEARTBEAT_INTERVAL_MS)})`,
      ms: CLASSIC_SESSION_TIMEOUT_MS + CLASSIC_HEARTBEAT_INTERVAL_MS,
    },
    {
      what: `the outbox relay takeover (OUTBOX_RELAY_TAKEOVER_MS ${seconds(relayTakeoverMs)})`,
      ms: relayTakeoverMs,
    },
    {
      what: `a broker (broker.session.timeout.ms ${seconds(timings.brokerSessionTimeoutMs)})`,
      ms: timings.brokerSessionTimeoutMs,
    },
  ];
  return parts.reduce((longest, part) => (part.ms > longest.ms ? part : longest));
}

/**
 * What every service checks at start against the cluster it joined; each problem is one line naming
 * the values and the rule. Empty when the settings hold.
 */
export function clusterTimingProblems(
  timings: ClusterTimings,
  options: { groupProtocol: 'consumer' | 'classic'; deliveryTimeoutMs?: number },
): string[] {
  const problems: string[] = [];
  const { classicSessionMinMs: min, classicSessionMaxMs: max } = timings;
  if (
    options.groupProtocol === 'classic' &&
    (CLASSIC_SESSION_TIMEOUT_MS < min || CLASSIC_SESSION_TIMEOUT_MS > max)
  ) {
    problems.push(
      `KAFKA_GROUP_PROTOCOL=classic asks for a ${seconds(CLASSIC_SESSION_TIMEOUT_MS)} session, outside the broker's ` +
        `group.min.session.timeout.ms ${seconds(min)} … group.max.session.timeout.ms ${seconds(max)}: every join would be refused`,
    );
  }
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const neededMs = timings.brokerSessionTimeoutMs + LEADER_MOVE_MS;
  if (deliveryTimeoutMs < neededMs) {
    problems.push(
      `the producer's delivery timeout ${seconds(deliveryTimeoutMs)} is shorter than a broker failover ` +
        `(broker.session.timeout.ms ${seconds(timings.brokerSessionTimeoutMs)} + ${seconds(LEADER_MOVE_MS)} for new leaders): ` +
        'rule: delivery timeout ≥ broker session + 30 s',
    );
  }
  return problems;
}

/** "45 s", "1.5 s", "2 min". */
export function seconds(ms: number): string {
  if (ms >= 120_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}
