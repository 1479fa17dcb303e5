import { type CommonConfig, commonEnvShape, loadConfig, portShape, toCommonConfig } from '@kafka-poc/config';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvShape,
  ...portShape(8000),
  ORDER_SERVICE_GROUP: z.string().min(1).default('order-service'),
});

export interface OrderServiceConfig extends CommonConfig {
  groupId: string;
}

export function loadOrderServiceConfig(
  env: Record<string, string | undefined> = process.env,
): OrderServiceConfig {
  const parsed = loadConfig(schema, env);
  return { ...toCommonConfig(parsed, 'order-service', parsed.PORT), groupId: parsed.ORDER_SERVICE_GROUP };
}
