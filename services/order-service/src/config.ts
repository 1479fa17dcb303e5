import {
  type CommonConfig,
  commonEnvShape,
  type HttpSecurityConfig,
  httpSecurityEnvShape,
  loadConfig,
  portShape,
  toCommonConfig,
  toHttpSecurityConfig,
} from '@kafka-poc/config';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvShape,
  ...httpSecurityEnvShape,
  ...portShape(8000),
  ORDER_SERVICE_GROUP: z.string().min(1).default('order-service'),
});

export interface OrderServiceConfig extends CommonConfig {
  security: HttpSecurityConfig;
  groupId: string;
}

export function loadOrderServiceConfig(
  env: Record<string, string | undefined> = process.env,
): OrderServiceConfig {
  const parsed = loadConfig(schema, env);
  return {
    ...toCommonConfig(parsed, 'order-service', parsed.PORT),
    security: toHttpSecurityConfig(parsed),
    groupId: parsed.ORDER_SERVICE_GROUP,
  };
}
