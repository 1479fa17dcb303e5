import type { KafkaAdmin } from '@kafka-poc/kafka';
import type { Logger } from '@kafka-poc/service-kit';
import { type LagHistory, toLagSample } from './lag-history.ts';
import { mapLimit } from './map-limit.ts';

export interface LagSamplerOptions {
  admin: KafkaAdmin;
  history: LagHistory;
  intervalMs: number;
  maxGroups: number;
  logger: Logger;
}

/** Samples the lag of every consumer group on a timer into the history (one round at a time). */
export class LagSampler {
  readonly #options: LagSamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;

  constructor(options: LagSamplerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sampleNow(), this.#options.intervalMs);
    this.#timer.unref();
    void this.sampleNow();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** One round; a round still running is not overlapped. */
  sampleNow(): Promise<void> {
    this.#round ??= this.#sample().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #sample(): Promise<void> {
    const { admin, history, logger } = this.#options;
    try {
      const groups = (await admin.listGroups()).slice(0, this.#options.maxGroups);
      history.retain(new Set(groups.map((g) => g.groupId)));
      const t = Date.now();
      await mapLimit(groups, 8, async ({ groupId }) => {
        try {
          history.add(groupId, toLagSample(t, await admin.groupLag(groupId)));
        } catch (error) {
          logger.debug({ err: error, group: groupId }, 'lag sample failed');
        }
      });
    } catch (error) {
      logger.debug({ err: error }, 'listing groups for lag samples failed');
    }
  }
}
