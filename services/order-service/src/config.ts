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
});

export interface OrderServiceConfig extends CommonConfig {
  security: HttpSecurityConfig;
  groupId: string;
  intake: { maxBatchSize: number; maxInFlight: number };
}

export function loadOrderServiceConfig(env: Record<string, string | undefined>): OrderServiceConfig {
  const parsed = loadConfig(schema, env);
  return {
    ...toCommonConfig(parsed, 'order-service', parsed.PORT),
    security: toHttpSecurityConfig(parsed),
    groupId: parsed.ORDER_SERVICE_GROUP,
    intake: { maxBatchSize: parsed.ORDER_INTAKE_MAX_BATCH, maxInFlight: parsed.ORDER_INTAKE_CONCURRENCY },
  };
}
