import {
  type CommonConfig,
  ConfigError,
  commonEnvShape,
  databaseUrlShape,
  loadConfig,
  toCommonConfig,
} from '@kafka-poc/config';
import { CONSOLE_DB_ROLE } from '@kafka-poc/contracts';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();

const serviceUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .transform((url) => url.replace(/\/+$/, ''))
  .optional();

const schema = z.object({
  ...commonEnvShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The console's own role: it may read the views the services publish, nothing else. */
  ...databaseUrlShape(CONSOLE_DB_ROLE),
  ORDER_SERVICE_URL: serviceUrl,
  INVENTORY_SERVICE_URL: serviceUrl,
  NOTIFICATION_SERVICE_URL: serviceUrl,
  // `npm start` hands every process the user's environment: a moved service is found on its new port.
  ORDER_SERVICE_PORT: positiveInt.default(8000),
  INVENTORY_SERVICE_PORT: positiveInt.default(8001),
  NOTIFICATION_SERVICE_PORT: positiveInt.default(8002),
  /** Sent as x-api-key to the services when they require API keys (scopes: read, admin for stock). */
  CONSOLE_SERVICE_API_KEY: z.string().min(1).max(512).optional(),
  ORDER_SERVICE_GROUP: z.string().min(1).default('order-service'),
  INVENTORY_SERVICE_GROUP: z.string().min(1).default('inventory-service'),
  NOTIFICATION_SERVICE_GROUP: z.string().min(1).default('notification-service'),
  CONSOLE_TOKEN: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().min(8, 'at least 8 characters').max(512).optional(),
  ),
  CONSOLE_READ_ONLY: bool.default(false),
  CONSOLE_SESSION_TTL_MS: positiveInt.default(12 * 60 * 60 * 1000),
  CONSOLE_LAG_SAMPLE_MS: z.coerce.number().int().min(250).default(5000),
  /** Between lag samples while nobody has used the console for a minute (each costs broker requests). */
  CONSOLE_LAG_IDLE_SAMPLE_MS: z.coerce.number().int().min(250).default(60_000),
  CONSOLE_LAG_HISTORY: z.coerce.number().int().min(2).max(100_000).default(720),
  CONSOLE_LAG_MAX_GROUPS: positiveInt.default(100),
  CONSOLE_TAIL_POLL_MS: z.coerce.number().int().min(100).default(1000),
});

export interface ConsoleConfig extends CommonConfig {
  services: { order: string; inventory: string; notification: string; apiKey: string | undefined };
  groups: { order: string; inventory: string; notification: string };
  access: {
    /** Login token; undefined means no login (allowed only on a loopback address). */
    token: string | undefined;
    readOnly: boolean;
    sessionTtlMs: number;
  };
  lag: { sampleMs: number; idleSampleMs: number; history: number; maxGroups: number };
  tailPollMs: number;
}

/** Reads the console's environment once; refuses to start without CONSOLE_TOKEN when bound beyond loopback. */
export function loadConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  const parsed = loadConfig(schema, env);
  if (!parsed.CONSOLE_TOKEN && !isLoopback(parsed.HOST)) {
    throw new ConfigError([
      {
        path: 'CONSOLE_TOKEN',
        message: `required when HOST (${parsed.HOST}) is not a loopback address; set a token of 8+ characters`,
      },
    ]);
  }
  const local = (port: number) => `http://127.0.0.1:${port}`;
  return {
    ...toCommonConfig(parsed, 'console', parsed.PORT),
    services: {
      order: parsed.ORDER_SERVICE_URL ?? local(parsed.ORDER_SERVICE_PORT),
      inventory: parsed.INVENTORY_SERVICE_URL ?? local(parsed.INVENTORY_SERVICE_PORT),
      notification: parsed.NOTIFICATION_SERVICE_URL ?? local(parsed.NOTIFICATION_SERVICE_PORT),
      apiKey: parsed.CONSOLE_SERVICE_API_KEY,
    },
    groups: {
      order: parsed.ORDER_SERVICE_GROUP,
      inventory: parsed.INVENTORY_SERVICE_GROUP,
      notification: parsed.NOTIFICATION_SERVICE_GROUP,
    },
    access: {
      token: parsed.CONSOLE_TOKEN,
      readOnly: parsed.CONSOLE_READ_ONLY,
      sessionTtlMs: parsed.CONSOLE_SESSION_TTL_MS,
    },
    lag: {
      sampleMs: parsed.CONSOLE_LAG_SAMPLE_MS,
      // Never shorter than the in-use interval.
      idleSampleMs: Math.max(parsed.CONSOLE_LAG_SAMPLE_MS, parsed.CONSOLE_LAG_IDLE_SAMPLE_MS),
      history: parsed.CONSOLE_LAG_HISTORY,
      maxGroups: parsed.CONSOLE_LAG_MAX_GROUPS,
    },
    tailPollMs: parsed.CONSOLE_TAIL_POLL_MS,
  };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
