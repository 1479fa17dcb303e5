export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Cap, ms: no delay is longer. */
  maxMs: number;
  /** Multiplier per attempt (default 2). */
  factor?: number;
  /** 0..1: share of the delay that is randomised, so many clients do not retry in lockstep (default 0.3). */
  jitter?: number;
}

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with jitter taken off the
 * nominal value (so the cap stays a true maximum).
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.3));
  const nominal = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(nominal * (1 - jitter * random())));
}

/** Resolves after `ms`, or as soon as the signal aborts (never rejects: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Waits for the promise at most `ms`; true if it settled in time. Clears its timer either way. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
