import type { KafkaAdmin } from '@kafka-poc/kafka';

/** A consumer group and the topics it reads. */
export interface ConsumerGroup {
  groupId: string;
  topics: string[];
}

/**
 * "No lag left": every partition of each group's topics is committed up to its end. A partition the
 * group never committed counts as lagging by all its records (a consumer that never caught up).
 */
export async function lagProblems(admin: KafkaAdmin, groups: ConsumerGroup[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { groupId, topics } of groups) {
    for (const p of await admin.groupLag(groupId, topics)) {
      if (p.lag > 0n) problems.push(`group ${groupId} lags ${p.lag} on ${p.topic}:${p.partition}`);
    }
  }
  return problems;
}

/** Total lag of each group (records not yet committed), for progress lines. */
export async function totalLag(admin: KafkaAdmin, groups: ConsumerGroup[]): Promise<Record<string, bigint>> {
  const totals: Record<string, bigint> = {};
  for (const { groupId, topics } of groups) {
    totals[groupId] = (await admin.groupLag(groupId, topics)).reduce((sum, p) => sum + p.lag, 0n);
  }
  return totals;
}
