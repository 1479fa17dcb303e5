import { type Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { KafkaError } from './errors.ts';
import type { ClusterTimings } from './types.ts';

/**
 * What a classic-protocol member of ours asks the broker for (consumer-session.ts): the broker drops
 * it after this long without a heartbeat. It must lie within the broker's
 * group.min/max.session.timeout.ms, or every JoinGroup is refused.
 */
export const CLASSIC_SESSION_TIMEOUT_MS = 30_000;
export const CLASSIC_HEARTBEAT_INTERVAL_MS = 3_000;

const BROKER_KEYS = [
  'group.min.session.timeout.ms',
  'group.max.session.timeout.ms',
  'broker.session.timeout.ms',
] as const;
const GROUP_KEYS = ['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms'] as const;

/**
 * The failure-detection timings the cluster applies, read at start: per consumer-protocol group its
 * session and heartbeat (a group override, else the broker's group.consumer.* default, always within
 * the broker's min/max), the bounds of a classic member's session, and how long the controller waits
 * before fencing a silent broker (leaderships move only then). A group need not exist yet.
 */
export async function describeClusterTimings(admin: Admin, groupIds: string[]): Promise<ClusterTimings> {
  const metadata = await admin.metadata({ topics: [] });
  const brokerId = [...metadata.brokers.keys()][0];
  if (brokerId === undefined) {
    throw new KafkaError('KAFKA_UNREACHABLE', 'The cluster named no broker', { retryable: true });
  }
  const described = await admin.describeConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.BROKER,
        resourceName: String(brokerId),
        configurationKeys: [...BROKER_KEYS],
      },
      ...groupIds.map((groupId) => ({
        resourceType: ConfigResourceTypes.GROUP,
        resourceName: groupId,
        configurationKeys: [...GROUP_KEYS],
      })),
    ],
  });
  const valuesOf = (type: number, name: string): Map<string, string | null | undefined> =>
    new Map(
      (described.find((d) => d.resourceType === type && d.resourceName === name)?.configs ?? []).map((c) => [
        c.name,
        c.value,
      ]),
    );
  const broker = valuesOf(ConfigResourceTypes.BROKER, String(brokerId));
  return {
    classicSessionMinMs: numberOf(broker, 'group.min.session.timeout.ms', `broker ${brokerId}`),
    classicSessionMaxMs: numberOf(broker, 'group.max.session.timeout.ms', `broker ${brokerId}`),
    brokerSessionTimeoutMs: numberOf(broker, 'broker.session.timeout.ms', `broker ${brokerId}`),
    groups: groupIds.map((groupId) => {
      const group = valuesOf(ConfigResourceTypes.GROUP, groupId);
      return {
        groupId,
        sessionTimeoutMs: numberOf(group, 'consumer.session.timeout.ms', `group ${groupId}`),
        heartbeatIntervalMs: numberOf(group, 'consumer.heartbeat.interval.ms', `group ${groupId}`),
      };
    }),
  };
}

function numberOf(values: Map<string, string | null | undefined>, key: string, owner: string): number {
  const value = Number(values.get(key) ?? Number.NaN);
  if (!Number.isFinite(value)) {
    throw new KafkaError('KAFKA_ADMIN_FAILED', `The cluster did not say ${key} of ${owner}`, {
      retryable: false,
    });
  }
  return value;
}
