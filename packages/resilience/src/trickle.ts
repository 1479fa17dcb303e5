/** "Slow" means fewer than this many items per interval, averaged over the last second. */
const TRICKLE_BELOW = 5;
const WINDOW_MS = 1000;

/**
 * Tells a trickle from a stream: counts the items seen over the last second. The consumer runner
 * paces its fetches and the outbox relay lingers only while items trickle in (fewer than
 * TRICKLE_BELOW per interval): at low rates each wake-up then carries several items, and at higher
 * rates nobody waits, because batches fill by themselves.
 */
export class TrickleMeter {
  /** [when, how many] of the last second. */
  #seen: [number, number][] = [];

  add(count: number, now = Date.now()): void {
    this.#seen.push([now, count]);
    this.#forget(now);
  }

  /** Whether fewer than TRICKLE_BELOW items per `intervalMs` came over the last second. */
  isTrickle(intervalMs: number, now = Date.now()): boolean {
    this.#forget(now);
    const perWindow = this.#seen.reduce((sum, [, n]) => sum + n, 0);
    return (perWindow * intervalMs) / WINDOW_MS < TRICKLE_BELOW;
  }

  #forget(now: number): void {
    while ((this.#seen[0]?.[0] ?? now) <= now - WINDOW_MS) this.#seen.shift();
  }
}
