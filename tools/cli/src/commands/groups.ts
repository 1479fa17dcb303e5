import type { KafkaAdmin } from '@kafka-poc/kafka';
import { printJson, printTable } from '../output.ts';

/** `groups`: every consumer group with state, members and total lag. */
export async function listGroupsCommand(admin: KafkaAdmin, options: { json: boolean }): Promise<number> {
  const groups = await admin.listGroups();
  const rows = [];
  for (const group of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    const [description, lag] = await Promise.all([
      admin.describeGroup(group.groupId),
      admin.groupLag(group.groupId),
    ]);
    rows.push({
      group: group.groupId,
      state: description.state,
      protocol: description.protocol,
      members: description.members.length,
      lag: lag.reduce((sum, p) => sum + p.lag, 0n),
    });
  }
  if (options.json) printJson(rows);
  else printTable(rows);
  return 0;
}

/** `group <id>`: members with their partitions, and committed offset and lag per partition. */
export async function describeGroupCommand(
  admin: KafkaAdmin,
  groupId: string,
  options: { json: boolean },
): Promise<number> {
  const [description, lag] = await Promise.all([admin.describeGroup(groupId), admin.groupLag(groupId)]);
  const owner = new Map<string, string>();
  for (const member of description.members) {
    for (const a of member.assignments)
      owner.set(`${a.topic}:${a.partition}`, member.clientId || member.memberId);
  }
  const partitions = lag.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    committed: p.committedOffset,
    latest: p.latestOffset,
    lag: p.lag,
    member: owner.get(`${p.topic}:${p.partition}`),
  }));
  if (options.json) {
    printJson({ ...description, partitions });
    return 0;
  }
  process.stdout.write(
    `group ${groupId}: ${description.state} (${description.protocol} protocol), ${description.members.length} member(s)\n\n`,
  );
  printTable(
    description.members.map((m) => ({
      member: m.clientId || m.memberId,
      host: m.host,
      partitions: m.assignments.map((a) => `${a.topic}:${a.partition}`).join(' '),
    })),
  );
  process.stdout.write('\n');
  printTable(partitions);
  process.stdout.write(`\ntotal lag: ${lag.reduce((sum, p) => sum + p.lag, 0n)}\n`);
  return 0;
}

/** `topics`: topics with partitions, leaders, replicas and offsets. */
export async function listTopicsCommand(admin: KafkaAdmin, options: { json: boolean }): Promise<number> {
  const names = (await admin.listTopics()).sort();
  const topics = await admin.describeTopics(names);
  const rows = topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas.join(','),
      isr: p.isr.join(','),
      earliest: p.earliestOffset,
      latest: p.latestOffset,
      messages: p.latestOffset - p.earliestOffset,
    })),
  );
  if (options.json) printJson(rows);
  else printTable(rows);
  return 0;
}
