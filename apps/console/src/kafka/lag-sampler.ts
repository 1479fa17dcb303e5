import type { KafkaAdmin } from '@kafka-poc/kafka';
import type { Logger } from '@kafka-poc/service-kit';
import { type LagHistory, toLagSample } from './lag-history.ts';
import { mapLimit } from './map-limit.ts';

/** The console counts as watched this long after its last API request (open pages poll it). */
export const WATCHED_FOR_MS = 60_000;

export interface LagSamplerOptions {
  admin: KafkaAdmin;
  history: LagHistory;
  /** Between samples while the console is watched. */
  intervalMs: number;
  /** Between samples while nobody has used the console for WATCHED_FOR_MS (config: ≥ intervalMs). */
  idleIntervalMs: number;
  maxGroups: number;
  logger: Logger;
}

/**
 * Samples the lag of every consumer group into the history (one round at a time): every
 * `intervalMs` while someone uses the console, every `idleIntervalMs` otherwise. Each round costs the
 * broker a few requests per group, so an unwatched console should not send them every few seconds;
 * the first request after a quiet spell brings a sample within `intervalMs` of the last one.
 */
export class LagSampler {
  readonly #options: LagSamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #round: Promise<void> | undefined;
  #lastActivity = Number.NEGATIVE_INFINITY;
  #lastSampleAt = Number.NEGATIVE_INFINITY;
  /** When the scheduled round is due (ms since epoch). */
  #dueAt = Number.POSITIVE_INFINITY;

  constructor(options: LagSamplerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  /** Someone uses the console: sample at the short interval from now on (for WATCHED_FOR_MS). */
  noteActivity(): void {
    this.#lastActivity = Date.now();
    if (!this.#running) return;
    const due = this.#lastSampleAt + this.#options.intervalMs;
    if (due < this.#dueAt) this.#schedule(due);
  }

  /** One round; a round still running is not overlapped. */
  sampleNow(): Promise<void> {
    this.#round ??= this.#sample().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  #tick(): void {
    void this.sampleNow().finally(() => {
      if (!this.#running) return;
      const watched = Date.now() - this.#lastActivity < WATCHED_FOR_MS;
      const { intervalMs, idleIntervalMs } = this.#options;
      this.#schedule(this.#lastSampleAt + (watched ? intervalMs : idleIntervalMs));
    });
  }

  #schedule(dueAt: number): void {
    clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    this.#timer = setTimeout(
      () => {
        this.#dueAt = Number.POSITIVE_INFINITY;
        this.#tick();
      },
      Math.max(0, dueAt - Date.now()),
    );
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    const { admin, history, logger } = this.#options;
    this.#lastSampleAt = Date.now();
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
