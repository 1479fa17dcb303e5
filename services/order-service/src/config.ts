import {
  type CommonConfig,
  commonEnvShape,
  databaseUrlShape,
  type HttpSecurityConfig,
  httpSecurityEnvShape,
  loadConfig,
  portShape,
  toCommonConfig,
  toHttpSecurityConfig,
} from '@kafka-poc/config';
import { SERVICE_DATA } from '@kafka-poc/contracts';
import { z } from 'zod';
import { parseDuration } from './orders/duration.ts';

/** A duration setting (`30s`, `500ms`, `2m`, or seconds) within bounds, in milliseconds. */
function duration(fallback: string, min: number, max: number) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < min || ms > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration from ${min} ms to ${max} ms, e.g. 30s`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

const schema = z.object({
  ...commonEnvShape,
  ...httpSecurityEnvShape,
  ...portShape(8000),
  ...databaseUrlShape(SERVICE_DATA.order.role),
  ORDER_SERVICE_GROUP: z.string().min(1).default('order-service'),
  /** Most orders one intake statement writes (concurrent POST /orders are written together). */
  ORDER_INTAKE_MAX_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  /** Most intake statements at once; each holds a pooled connection, so keep it below DB_POOL_MAX. */
  ORDER_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * A PENDING order with no decision this long after it was accepted becomes EXPIRED. Checked at start
   * against the cluster (orders/decision-timing.ts): it must outlast one failed instance's failover,
   * 45 s sessions + 5 s heartbeats on a stock broker; 2 min leaves room for a pause as well.
   */
  ORDER_DECISION_TIMEOUT: duration('2m', 100, 7 * 24 * 3_600_000),
  /**
   * How often each instance looks for orders to expire (and decided orders to announce): with the
   * 2 min timeout an order expires 2 min to 2 min 5 s after acceptance. Each look is a transaction, so a look
   * every second was a fifth of an idle stack's statements.
   */
  ORDER_EXPIRY_INTERVAL: duration('5s', 10, 3_600_000),
  /** Most orders one expiry transaction changes. */
  ORDER_EXPIRY_BATCH: z.coerce.number().int().min(1).max(5000).default(500),
  /** Most clients waiting (`?wait`) or streaming order events at once, per instance; more get 503. */
  ORDER_WATCH_MAX_CLIENTS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** An event stream (`GET /orders/:id/events`) of an order that stays CONFIRMED ends after this. */
  ORDER_EVENTS_MAX_DURATION: duration('5m', 1000, 24 * 3_600_000),
});

export interface OrderServiceConfig extends CommonConfig {
  security: HttpSecurityConfig;
  groupId: string;
  intake: { maxBatchSize: number; maxInFlight: number };
  lifecycle: { decisionTimeoutMs: number; expiryIntervalMs: number; expiryBatch: number };
  watch: { maxClients: number; streamMaxMs: number };
}

export function loadOrderServiceConfig(env: Record<string, string | undefined>): OrderServiceConfig {
  const parsed = loadConfig(schema, env);
  return {
    ...toCommonConfig(parsed, 'order-service', parsed.PORT),
    security: toHttpSecurityConfig(parsed),
    groupId: parsed.ORDER_SERVICE_GROUP,
    intake: { maxBatchSize: parsed.ORDER_INTAKE_MAX_BATCH, maxInFlight: parsed.ORDER_INTAKE_CONCURRENCY },
    lifecycle: {
      decisionTimeoutMs: parsed.ORDER_DECISION_TIMEOUT,
      expiryIntervalMs: parsed.ORDER_EXPIRY_INTERVAL,
      expiryBatch: parsed.ORDER_EXPIRY_BATCH,
    },
    watch: { maxClients: parsed.ORDER_WATCH_MAX_CLIENTS, streamMaxMs: parsed.ORDER_EVENTS_MAX_DURATION },
  };
}
