import type { GroupDescription, KafkaAdmin } from '@kafka-poc/kafka';

/** member client id → its partitions, e.g. { 'notification-service-1': ['t:0'] }. */
export function assignmentOf(group: GroupDescription): Record<string, string[]> {
  return Object.fromEntries(
    group.members
      .map(
        (m) =>
          [m.clientId || m.memberId, m.assignments.map((a) => `${a.topic}:${a.partition}`).sort()] as const,
      )
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * Waits until the group has exactly `members` members that together own each of `partitions`
 * partitions exactly once, spread evenly (the coordinator has finished moving partitions: a new
 * member first gets nothing, and a partition moves only after its old owner released it).
 */
export async function waitForBalancedGroup(
  admin: KafkaAdmin,
  groupId: string,
  expected: { members: number; partitions: number },
  timeoutMs = 45_000,
): Promise<GroupDescription> {
  const deadline = Date.now() + timeoutMs;
  let last: GroupDescription | undefined;
  while (Date.now() < deadline) {
    last = await admin.describeGroup(groupId).catch(() => undefined);
    if (last && isBalanced(last, expected)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `group ${groupId} not balanced over ${expected.members} member(s) within ${timeoutMs} ms: ` +
      JSON.stringify(last ? assignmentOf(last) : 'no description'),
  );
}

function isBalanced(group: GroupDescription, expected: { members: number; partitions: number }): boolean {
  if (group.members.length !== expected.members) return false;
  const owned = group.members.flatMap((m) => m.assignments.map((a) => a.partition)).sort((a, b) => a - b);
  const sizes = group.members.map((m) => m.assignments.length);
  const even = Math.max(...sizes) - Math.min(...sizes) <= 1;
  return even && owned.length === expected.partitions && owned.every((p, i) => p === i);
}

/** Committed offset per "topic:partition" ('-' = never committed), for before/after comparisons. */
export async function committedOffsets(
  admin: KafkaAdmin,
  group: { groupId: string; topics: string[] },
): Promise<Record<string, string>> {
  const lag = await admin.groupLag(group.groupId, group.topics);
  return Object.fromEntries(lag.map((p) => [`${p.topic}:${p.partition}`, String(p.committedOffset ?? '-')]));
}

/** Records the group has not committed yet, over all partitions of its topics. */
export async function totalLag(
  admin: KafkaAdmin,
  group: { groupId: string; topics: string[] },
): Promise<number> {
  const lag = await admin.groupLag(group.groupId, group.topics);
  return Number(lag.reduce((sum, p) => sum + p.lag, 0n));
}

/** Waits until the group has no members (after its instances stopped), as a replay requires. */
export async function waitForEmptyGroup(
  admin: KafkaAdmin,
  groupId: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await admin.describeGroup(groupId)).members.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`group ${groupId} still has members after ${timeoutMs} ms`);
}
