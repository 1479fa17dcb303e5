import { readFileSync } from 'node:fs';
import { z } from 'zod';

// HTTP security variables every service reads (auth, rate limit, CORS, body size).

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const httpSecurityEnvShape = {
  /** Require an API key on every business endpoint. Default: on in production, off in development. */
  AUTH_REQUIRED: bool.optional(),
  /** `name:scope+scope:sha256hex` entries (comma or newline separated); create with `npm run cli -- keys create`. */
  API_KEYS: z.string().optional(),
  /** A file holding the same entries (e.g. a mounted Kubernetes Secret). */
  API_KEYS_FILE: z.string().optional(),
  /** Requests per minute per client (API key, else IP); 0 turns rate limiting off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120_000),
  /** Allowed CORS origins, comma separated; CORS is off when empty. */
  CORS_ORIGINS: z.string().optional(),
  HTTP_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(64 * 1024),
};

const schema = z.object({ ...httpSecurityEnvShape, NODE_ENV: z.string().optional() });

export interface HttpSecurityConfig {
  authRequired: boolean;
  /** Raw key entries (hashes only); parsed by the service kit. */
  apiKeys: string;
  rateLimitPerMinute: number;
  corsOrigins: string[];
  bodyLimitBytes: number;
}

/** Maps the parsed variables; reads API_KEYS_FILE (a missing file is a config error, said clearly). */
export function toHttpSecurityConfig(env: z.output<typeof schema>): HttpSecurityConfig {
  let fileKeys = '';
  if (env.API_KEYS_FILE) {
    try {
      fileKeys = readFileSync(env.API_KEYS_FILE, 'utf8');
    } catch (error) {
      throw new Error(`API_KEYS_FILE ${env.API_KEYS_FILE} cannot be read: ${(error as Error).message}`);
    }
  }
  return {
    authRequired: env.AUTH_REQUIRED ?? env.NODE_ENV === 'production',
    apiKeys: [env.API_KEYS ?? '', fileKeys].filter(Boolean).join('\n'),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
  };
}
