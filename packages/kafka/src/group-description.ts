import {
  type Admin,
  consumerGroupDescribeV0,
  FindCoordinatorKeyTypes,
  type Group,
} from '@platformatic/kafka';
import { errorChain, hasApiError } from './error-mapping.ts';
import type { GroupDescription, GroupMember, PartitionRef } from './types.ts';

/**
 * Describes a group of either protocol. The library's describeGroups speaks only the classic
 * DescribeGroups API, which reports a KIP-848 ('consumer') group as Dead with no members, so the
 * ConsumerGroupDescribe API (key 69) is asked first, on the group's coordinator; a group it does
 * not know is described the classic way.
 */
export async function describeGroup(admin: Admin, groupId: string): Promise<GroupDescription> {
  const modern = await describeConsumerProtocolGroup(admin, groupId);
  if (modern) return modern;
  const classic = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
  return classic
    ? fromClassic(groupId, classic)
    : { groupId, state: 'Dead', protocol: 'unknown', members: [] };
}

async function describeConsumerProtocolGroup(
  admin: Admin,
  groupId: string,
): Promise<GroupDescription | undefined> {
  const [coordinator] = await admin.findCoordinator({
    keyType: FindCoordinatorKeyTypes.GROUP,
    keys: [groupId],
  });
  if (!coordinator) return undefined;
  const connection = await admin.connections.get({ host: coordinator.host, port: coordinator.port });
  try {
    const response = await consumerGroupDescribeV0.api.async(connection, [groupId], false);
    const group = response.groups.find((g) => g.groupId === groupId);
    return group ? fromConsumerProtocol(group) : undefined;
  } catch (error) {
    // GROUP_ID_NOT_FOUND: no such group, or a classic one. UNSUPPORTED_VERSION: a pre-KIP-848 broker.
    if (hasApiError(error, 'GROUP_ID_NOT_FOUND') || isUnsupported(error)) return undefined;
    throw error;
  }
}

function isUnsupported(error: unknown): boolean {
  return (
    hasApiError(error, 'UNSUPPORTED_VERSION') || errorChain(error).some((e) => /unsupported/i.test(e.message))
  );
}

function fromConsumerProtocol(
  group: consumerGroupDescribeV0.ConsumerGroupDescribeResponseGroup,
): GroupDescription {
  return {
    groupId: group.groupId,
    state: capitalize(group.groupState),
    protocol: 'consumer',
    members: group.members.map(
      (m): GroupMember => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignments: m.assignment.topicPartitions.flatMap((t) =>
          t.partitions.map((partition) => ({ topic: t.topicName, partition })),
        ),
      }),
    ),
  };
}

function fromClassic(groupId: string, group: Group): GroupDescription {
  const members = [...group.members.values()].map(
    (m): GroupMember => ({
      memberId: m.id,
      clientId: m.clientId,
      host: m.clientHost,
      assignments: [...(m.assignments?.values() ?? [])].flatMap(({ topic, partitions }): PartitionRef[] =>
        partitions.map((partition) => ({ topic, partition })),
      ),
    }),
  );
  // A classic consumer group reports protocolType 'consumer'; a group that does not exist is Dead with none.
  const protocol = group.protocolType === 'consumer' ? 'classic' : 'unknown';
  return { groupId, state: group.state, protocol, members };
}

/** ConsumerGroupDescribe reports 'stable'/'empty'; the classic API and our docs use 'Stable'/'Empty'. */
function capitalize(state: string): string {
  return state.length > 0 ? `${state[0]?.toUpperCase()}${state.slice(1)}` : state;
}
