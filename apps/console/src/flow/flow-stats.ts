import { VIEWS } from '@kafka-poc/contracts';
import type { FlowPoint, FlowStats } from '../shared/views.ts';
import type { ReadOnlyDb } from './read-only-db.ts';

interface BucketRow {
  b: string;
  n: string;
  p50: number | null;
  p95: number | null;
}

/**
 * Throughput and end-to-end latency from the services' own timestamps, read from the views they
 * publish (orders_v1.created_at and updated_at, notifications_v1.created_at): nothing to keep in
 * memory and right after a restart. Only indexed ranges of recent rows are read.
 */
export async function readFlowStats(
  db: ReadOnlyDb,
  options: { now: number; windowMs?: number; bucketMs?: number },
): Promise<FlowStats> {
  const windowMs = options.windowMs ?? 5 * 60_000;
  const bucketMs = options.bucketMs ?? 5000;
  const end = Math.floor(options.now / bucketMs) * bucketMs + bucketMs;
  const since = new Date(end - windowMs);
  const minuteAgo = new Date(options.now - 60_000);
  const [accepted, decided, minute, notified, pending] = await Promise.all([
    db.query<BucketRow>(
      `SELECT floor(extract(epoch FROM created_at) * 1000 / $2)::bigint AS b, count(*) AS n,
              NULL::float8 AS p50, NULL::float8 AS p95
         FROM ${VIEWS.orders} WHERE created_at >= $1 GROUP BY 1`,
      [since, bucketMs],
    ),
    db.query<BucketRow>(
      `SELECT floor(extract(epoch FROM updated_at) * 1000 / $2)::bigint AS b, count(*) AS n, ${percentiles('updated_at - created_at')}
         FROM ${VIEWS.orders}
        WHERE created_at >= $1::timestamptz - interval '10 minutes' AND updated_at >= $1 AND status <> 'PENDING'
        GROUP BY 1`,
      [since, bucketMs],
    ),
    db.query<{ accepted: string; decided: string; p50: number | null; p95: number | null }>(
      `SELECT count(*) AS accepted,
              count(*) FILTER (WHERE status <> 'PENDING' AND updated_at >= $1) AS decided,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
                FILTER (WHERE status <> 'PENDING') AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - created_at) * 1000)
                FILTER (WHERE status <> 'PENDING') AS p95
         FROM ${VIEWS.orders} WHERE created_at >= $1`,
      [minuteAgo],
    ),
    db.query<{ p50: number | null; p95: number | null }>(
      `SELECT ${percentiles('n.created_at - o.created_at')}
         FROM ${VIEWS.notifications} n JOIN ${VIEWS.orders} o ON o.id = n.order_id
        WHERE n.created_at >= $1`,
      [minuteAgo],
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM ${VIEWS.orders} WHERE status = 'PENDING'`),
  ]);
  const m = minute.rows[0];
  return {
    bucketMs,
    windowMs,
    series: toSeries(accepted.rows, decided.rows, { end, windowMs, bucketMs }),
    lastMinute: {
      acceptedPerSecond: Number(m?.accepted ?? 0) / 60,
      decidedPerSecond: Number(m?.decided ?? 0) / 60,
      decisionP50Ms: round(m?.p50),
      decisionP95Ms: round(m?.p95),
      notificationP50Ms: round(notified.rows[0]?.p50),
      notificationP95Ms: round(notified.rows[0]?.p95),
    },
    pending: Number(pending.rows[0]?.n ?? 0),
  };
}

function percentiles(interval: string): string {
  const ms = `extract(epoch FROM ${interval}) * 1000`;
  return `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ms}) AS p50,
          percentile_cont(0.95) WITHIN GROUP (ORDER BY ${ms}) AS p95`;
}

/** Dense series: one point per bucket of the window, zero where nothing happened. */
export function toSeries(
  accepted: BucketRow[],
  decided: BucketRow[],
  options: { end: number; windowMs: number; bucketMs: number },
): FlowPoint[] {
  const { end, windowMs, bucketMs } = options;
  const perSecond = (n: string | undefined) => (Number(n ?? 0) * 1000) / bucketMs;
  const byBucket = (rows: BucketRow[]) => new Map(rows.map((r) => [Number(r.b), r]));
  const a = byBucket(accepted);
  const d = byBucket(decided);
  const points: FlowPoint[] = [];
  for (let t = end - windowMs; t < end; t += bucketMs) {
    const bucket = Math.floor(t / bucketMs);
    const dec = d.get(bucket);
    points.push({
      t,
      accepted: perSecond(a.get(bucket)?.n),
      decided: perSecond(dec?.n),
      p50Ms: round(dec?.p50),
      p95Ms: round(dec?.p95),
    });
  }
  return points;
}

function round(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 10) / 10;
}
