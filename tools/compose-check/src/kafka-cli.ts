import { type RunResult, runOk } from './exec.ts';
import { REPO_ROOT } from './standins.ts';

export interface GroupMember {
  memberId: string;
  clientId: string;
  assignments: { topic: string; partition: number }[];
}

export interface GroupView {
  state: string;
  members: GroupMember[];
  partitions: { topic: string; partition: number; lag: string | number }[];
}

export interface TopicRow {
  topic: string;
  partition: number;
  replicas: string;
  isr: string;
}

/** `KAFKA_BROKERS=<brokers> npm run cli -- <args>`, as the README runs it against compose's host listener. */
export function cli(brokers: string, args: string[]): Promise<RunResult> {
  return runOk('npm', ['run', '--silent', 'cli', '--', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BROKERS: brokers },
    timeoutMs: 120_000,
  });
}

export async function describeGroup(brokers: string, group: string): Promise<GroupView> {
  const r = await cli(brokers, ['group', group, '--json']);
  return JSON.parse(r.stdout) as GroupView;
}

export async function topics(brokers: string): Promise<TopicRow[]> {
  const r = await cli(brokers, ['topics', '--json']);
  return JSON.parse(r.stdout) as TopicRow[];
}

/** Total lag of a group, and per member the partitions of `topic` it owns. */
export function summarizeGroup(view: GroupView, topic: string): { lag: number; owned: number[] } {
  const lag = view.partitions.filter((p) => p.topic === topic).reduce((sum, p) => sum + Number(p.lag), 0);
  const owned = view.members.map((m) => m.assignments.filter((a) => a.topic === topic).length);
  return { lag, owned };
}
