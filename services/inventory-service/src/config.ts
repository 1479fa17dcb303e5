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
import { parseSeed } from './inventory/seed.ts';

const schema = z.object({
  ...commonEnvShape,
  ...httpSecurityEnvShape,
  ...portShape(8001),
  ...databaseUrlShape(SERVICE_DATA.inventory.role),
  INVENTORY_SERVICE_GROUP: z.string().min(1).default('inventory-service'),
  /** Stock created on first start for items that do not exist yet. */
  INVENTORY_SEED: z
    .string()
    .default('Laptop=50,Phone=100,Headphones=200,Monitor=30,Keyboard=75')
    .transform((text, ctx) => {
      try {
        return parseSeed(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export interface InventoryServiceConfig extends CommonConfig {
  security: HttpSecurityConfig;
  groupId: string;
  seed: Map<string, number>;
}

export function loadInventoryServiceConfig(env: Record<string, string | undefined>): InventoryServiceConfig {
  const parsed = loadConfig(schema, env);
  return {
    ...toCommonConfig(parsed, 'inventory-service', parsed.PORT),
    security: toHttpSecurityConfig(parsed),
    groupId: parsed.INVENTORY_SERVICE_GROUP,
    seed: parsed.INVENTORY_SEED,
  };
}
