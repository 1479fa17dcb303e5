import type { PartitionLag } from '@kafka-poc/kafka';
import type { LagSample } from '../shared/views.ts';

export interface LagHistoryOptions {
  /** Samples kept per group (the oldest are dropped). */
  capacity: number;
  /** Groups kept at most; beyond it the group sampled least recently is forgotten. */
  maxGroups: number;
}

/** Lag samples per consumer group, bounded in both directions, in memory only. */
export class LagHistory {
  readonly #options: LagHistoryOptions;
  readonly #groups = new Map<string, LagSample[]>();

  constructor(options: LagHistoryOptions) {
    this.#options = options;
  }

  add(groupId: string, sample: LagSample): void {
    const samples = this.#groups.get(groupId) ?? [];
    samples.push(sample);
    if (samples.length > this.#options.capacity) samples.splice(0, samples.length - this.#options.capacity);
    // Re-insert so Map order is "least recently sampled first".
    this.#groups.delete(groupId);
    this.#groups.set(groupId, samples);
    while (this.#groups.size > this.#options.maxGroups) {
      const stalest = this.#groups.keys().next().value;
      if (stalest === undefined) break;
      this.#groups.delete(stalest);
    }
  }

  samples(groupId: string): LagSample[] {
    return [...(this.#groups.get(groupId) ?? [])];
  }

  latest(groupId: string): LagSample | undefined {
    return this.#groups.get(groupId)?.at(-1);
  }

  /** Forgets groups that no longer exist. */
  retain(groupIds: Set<string>): void {
    for (const id of [...this.#groups.keys()]) if (!groupIds.has(id)) this.#groups.delete(id);
  }

  get groupCount(): number {
    return this.#groups.size;
  }
}

/** One sample from a group's per-partition lag. */
export function toLagSample(t: number, lag: PartitionLag[]): LagSample {
  const byTopic: Record<string, number> = {};
  let total = 0;
  for (const p of lag) {
    const n = Number(p.lag);
    total += n;
    byTopic[p.topic] = (byTopic[p.topic] ?? 0) + n;
  }
  return { t, total, byTopic };
}
