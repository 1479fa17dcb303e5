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
  ...portShape(8002),
  ...databaseUrlShape(SERVICE_DATA.notification.role),
  NOTIFICATION_SERVICE_GROUP: z.string().min(1).default('notification-service'),
  /** `log` (default) writes notifications to the log; `webhook` POSTs them to NOTIFICATION_WEBHOOK_URL. */
  NOTIFICATION_SENDER: z.enum(['log', 'webhook']).default('log'),
  NOTIFICATION_WEBHOOK_URL: z.url().optional(),
  NOTIFICATION_WEBHOOK_TOKEN: z.string().optional(),
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
});

export interface NotificationServiceConfig extends CommonConfig {
  security: HttpSecurityConfig;
  groupId: string;
  sender: { kind: 'log' } | { kind: 'webhook'; url: string; token: string | undefined; timeoutMs: number };
  maxDeliveryAttempts: number;
}

export function loadNotificationServiceConfig(
  env: Record<string, string | undefined>,
): NotificationServiceConfig {
  const parsed = loadConfig(
    schema.refine((e) => e.NOTIFICATION_SENDER !== 'webhook' || e.NOTIFICATION_WEBHOOK_URL, {
      message: 'required when NOTIFICATION_SENDER=webhook',
      path: ['NOTIFICATION_WEBHOOK_URL'],
    }),
    env,
  );
  return {
    ...toCommonConfig(parsed, 'notification-service', parsed.PORT),
    security: toHttpSecurityConfig(parsed),
    groupId: parsed.NOTIFICATION_SERVICE_GROUP,
    sender:
      parsed.NOTIFICATION_SENDER === 'webhook' && parsed.NOTIFICATION_WEBHOOK_URL
        ? {
            kind: 'webhook',
            url: parsed.NOTIFICATION_WEBHOOK_URL,
            token: parsed.NOTIFICATION_WEBHOOK_TOKEN,
            timeoutMs: parsed.NOTIFICATION_WEBHOOK_TIMEOUT_MS,
          }
        : { kind: 'log' },
    maxDeliveryAttempts: parsed.NOTIFICATION_MAX_ATTEMPTS,
  };
}
