/**
 * Find-the-maximum: run fixed-rate steps, raising the rate until a step is not sustained, then bisect
 * between the best sustained and the first failed rate. Each step is judged by explicit criteria.
 */

export interface StepMeasure {
  rate: number;
  sent: number;
  accepted: number;
  /** p99 of intended send → 201 (ms). */
  httpP99Ms: number;
  /** p99 of 201 → notification stored (ms); undefined if nothing completed. */
  notifiedP99Ms: number | undefined;
  /** Least-squares growth of the pipeline backlog over the second half of the step (orders / s). */
  backlogGrowthPerSec: number;
  /** p99 of how late the generator sent (ms): large means the generator, not the system, fell behind. */
  sendLagP99Ms: number;
  /** The pipeline finished the step's orders within the drain timeout. */
  drained: boolean;
}

export const CRITERIA = {
  minAcceptedFraction: 0.99,
  maxHttpP99Ms: 1000,
  maxNotifiedP99Ms: 5000,
  /** Backlog may not grow faster than this fraction of the arrival rate. */
  maxBacklogGrowthFraction: 0.05,
  maxSendLagP99Ms: 200,
} as const;

export interface StepVerdict {
  sustained: boolean;
  reasons: string[];
}

export function judgeStep(m: StepMeasure, c: typeof CRITERIA = CRITERIA): StepVerdict {
  const reasons: string[] = [];
  const acceptedFraction = m.sent === 0 ? 0 : m.accepted / m.sent;
  if (acceptedFraction < c.minAcceptedFraction) {
    reasons.push(`only ${(acceptedFraction * 100).toFixed(1)} % answered 201`);
  }
  if (m.httpP99Ms > c.maxHttpP99Ms)
    reasons.push(`HTTP p99 ${m.httpP99Ms.toFixed(0)} ms > ${c.maxHttpP99Ms} ms`);
  if (m.notifiedP99Ms === undefined) reasons.push('no order completed');
  else if (m.notifiedP99Ms > c.maxNotifiedP99Ms) {
    reasons.push(`accepted→notified p99 ${m.notifiedP99Ms.toFixed(0)} ms > ${c.maxNotifiedP99Ms} ms`);
  }
  if (m.backlogGrowthPerSec > c.maxBacklogGrowthFraction * m.rate) {
    reasons.push(`backlog grew ${m.backlogGrowthPerSec.toFixed(0)} orders/s`);
  }
  if (m.sendLagP99Ms > c.maxSendLagP99Ms) {
    reasons.push(`load generator fell behind (send lag p99 ${m.sendLagP99Ms.toFixed(0)} ms)`);
  }
  if (!m.drained) reasons.push('did not drain');
  return { sustained: reasons.length === 0, reasons };
}

export interface FindMaxPlan {
  start: number;
  step: number;
  max: number;
  /** Bisection steps after the first failure. */
  refine: number;
  /** Rates are rounded to this. */
  granularity: number;
}

/**
 * The next rate to try given the steps so far, or undefined when done: climb by `step` from `start`
 * until a failure or `max`; then bisect between the best sustained and the lowest failed rate
 * `refine` times; if even the first step fails, halve (at most three times).
 */
export function nextRate(
  history: { rate: number; sustained: boolean }[],
  plan: FindMaxPlan,
): number | undefined {
  if (history.length === 0) return plan.start;
  const passed = history.filter((h) => h.sustained).map((h) => h.rate);
  const failed = history.filter((h) => !h.sustained).map((h) => h.rate);
  const best = passed.length ? Math.max(...passed) : undefined;
  const lowestFail = failed.length ? Math.min(...failed) : undefined;
  const round = (v: number) =>
    Math.max(plan.granularity, Math.round(v / plan.granularity) * plan.granularity);
  if (lowestFail === undefined) {
    const next = (best ?? plan.start) + plan.step;
    return next <= plan.max ? next : undefined;
  }
  if (best === undefined) {
    if (failed.length > 3) return undefined;
    const next = round(lowestFail / 2);
    return next < lowestFail && !history.some((h) => h.rate === next) ? next : undefined;
  }
  const bisections = history.filter((h) => !onLadder(h.rate, plan)).length;
  if (bisections >= plan.refine) return undefined;
  const next = round((best + lowestFail) / 2);
  if (next <= best || next >= lowestFail || history.some((h) => h.rate === next)) return undefined;
  return next;
}

/** Rates on the climbing ladder start + k·step; any other rate came from bisecting or halving. */
function onLadder(rate: number, plan: FindMaxPlan): boolean {
  return rate >= plan.start && (rate - plan.start) % plan.step === 0;
}

/** The highest sustained rate, if any. */
export function maxSustained(history: { rate: number; sustained: boolean }[]): number | undefined {
  const passed = history.filter((h) => h.sustained).map((h) => h.rate);
  return passed.length ? Math.max(...passed) : undefined;
}
