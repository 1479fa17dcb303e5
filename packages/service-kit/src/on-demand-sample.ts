import { settlesWithin } from '@kafka-poc/resilience';

export interface OnDemandSampleOptions {
  /** A sample that finished less than this ago is fresh enough: asking again sends nothing. */
  maxAgeMs: number;
  /** How long an ask waits for a sample under way; after that the caller reads the last values. */
  waitMs: number;
}

/**
 * A sample taken when someone asks for it (a /metrics scrape) instead of on a timer, so an idle
 * service that nobody scrapes sends no requests for it. Asks at the same time share one run; a
 * slow or unreachable dependency holds an ask at most `waitMs` (the run goes on, and the next ask
 * joins it). `sample` sets the values itself and should not throw; if it does, the values stay.
 */
export function onDemandSample(
  sample: () => Promise<void>,
  options: OnDemandSampleOptions,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  let finishedAt = Number.NEGATIVE_INFINITY;
  return async () => {
    if (running === undefined) {
      if (Date.now() - finishedAt < options.maxAgeMs) return;
      running = sample()
        .catch(() => undefined)
        .finally(() => {
          finishedAt = Date.now();
          running = undefined;
        });
    }
    await settlesWithin(running, options.waitMs);
  };
}
