import type { GroupDescription, PartitionLag } from '@kafka-poc/kafka';
import type { GroupPartitionView, GroupView } from '../shared/views.ts';

/** A group's description and lag as one view: who owns which partition, and how far behind it is. */
export function toGroupView(description: GroupDescription, lag: PartitionLag[]): GroupView {
  const owners = new Map<string, string>();
  for (const member of description.members) {
    for (const a of member.assignments) owners.set(`${a.topic}:${a.partition}`, member.clientId);
  }
  const partitions = lag
    .map(
      (p): GroupPartitionView => ({
        topic: p.topic,
        partition: p.partition,
        committedOffset: p.committedOffset === undefined ? null : String(p.committedOffset),
        latestOffset: String(p.latestOffset),
        lag: Number(p.lag),
        owner: owners.get(`${p.topic}:${p.partition}`) ?? null,
      }),
    )
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return {
    groupId: description.groupId,
    state: description.state,
    protocol: description.protocol,
    members: description.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.host,
      assignments: m.assignments.map((a) => `${a.topic}:${a.partition}`).sort(),
    })),
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
    resettable: description.members.length === 0,
  };
}
