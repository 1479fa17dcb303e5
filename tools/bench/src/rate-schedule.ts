/**
 * The open-loop schedule: request i is due at i · 1000 / rate ms after the start, fixed in advance.
 * The sender asks how many are due "now" by the wall clock and sends them all, never waiting for an
 * answer, so a slow system cannot slow the arrivals down and hide its latency (coordinated omission).
 */
export interface RateSchedule {
  /** Requests per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** Requests in the whole schedule. */
  readonly total: number;
}

export function rateSchedule(rate: number, durationMs: number): RateSchedule {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`rate must be > 0, got ${rate}`);
  if (!(durationMs > 0)) throw new Error(`duration must be > 0, got ${durationMs}`);
  return { rate, durationMs, total: Math.max(1, Math.floor((rate * durationMs) / 1000)) };
}

/** When request i is due, in ms after the start. */
export function intendedAt(schedule: RateSchedule, i: number): number {
  return (i * 1000) / schedule.rate;
}

/** How many requests are due at `elapsedMs`: those with intendedAt(i) <= elapsedMs (so 1 at t = 0). */
export function dueCount(schedule: RateSchedule, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  // The epsilon keeps a request due at exactly its own intended time despite float rounding.
  const due = Math.floor((elapsedMs * schedule.rate) / 1000 + 1e-9) + 1;
  return Math.min(schedule.total, due);
}

/** Milliseconds from `elapsedMs` until the next unsent request is due (0 if overdue, undefined when done). */
export function msUntilNext(schedule: RateSchedule, sent: number, elapsedMs: number): number | undefined {
  if (sent >= schedule.total) return undefined;
  return Math.max(0, intendedAt(schedule, sent) - elapsedMs);
}
