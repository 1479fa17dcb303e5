import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import type { HttpSecurityConfig } from '@kafka-poc/config';
import type { FastifyRequest } from 'fastify';
import { ApiKeyStore, allows, parseApiKeys, type Scope } from './api-keys.ts';
import { AppError } from './errors.ts';
import type { HttpServer } from './http-types.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; routes without one (health, metrics, docs) are public. */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** Name of the API key that authenticated this request, if any. */
    principal?: string;
    /** Scopes of that key (undefined when no key was presented). */
    principalScopes?: readonly Scope[];
  }
}

/**
 * OpenAPI security requirement of a route with a scope. The kit sets it on every such operation
 * (http-contract-hooks.ts); routes need not name it.
 */
export const API_KEY_SECURITY: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearer: [] }];

export const OPENAPI_SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
  bearer: { type: 'http', scheme: 'bearer' },
} as const;

/**
 * Rate limiting (429 + Retry-After), CORS (only when origins are configured), security headers, and
 * API-key authentication with scopes (401 without/with a bad key, 403 for a missing scope). Without
 * AUTH_REQUIRED, a request with no key is let through (local development), but a presented key is
 * always checked.
 */
export async function registerHttpSecurity(app: HttpServer, config: HttpSecurityConfig): Promise<void> {
  const store = new ApiKeyStore(parseApiKeys(config.apiKeys));
  if (config.authRequired && store.size === 0) {
    throw new AppError(
      'INTERNAL',
      'AUTH_REQUIRED is on but no API key is configured (API_KEYS or API_KEYS_FILE)',
    );
  }
  if (config.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => presentedKey(request) ?? request.ip,
      allowList: (request) => isPublicPath(request.url.split('?')[0] ?? ''),
      errorResponseBuilder: (_request, context) =>
        new AppError(
          'RATE_LIMITED',
          `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
        ),
    });
  }
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, { origin: config.corsOrigins, methods: ['GET', 'POST', 'PUT'] });
  }
  app.decorateRequest('principal', undefined);
  app.decorateRequest('principalScopes', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    const key = presentedKey(request);
    if (key === undefined) {
      if (!config.authRequired) return;
      void reply.header('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key> or x-api-key)');
    }
    const record = store.find(key);
    if (!record) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new AppError('UNAUTHORIZED', 'invalid API key');
    }
    if (!allows(record, scope)) throw new AppError('FORBIDDEN', `this API key lacks the "${scope}" scope`);
    request.principal = record.name;
    request.principalScopes = record.scopes;
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    // Swagger UI needs its own scripts and styles; everything else is JSON that needs nothing.
    if (!request.url.startsWith('/docs')) {
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      void reply.header('cache-control', 'no-store');
    }
  });
}

/**
 * Whether a request may see and touch every caller's resources: a key with the admin scope, or no
 * key at all where keys are not required (local development: there is no caller to tell apart).
 * Any other verified key sees only what its own principal created.
 */
export function seesEverything(request: FastifyRequest): boolean {
  if (request.principal === undefined) return true;
  return request.principalScopes?.includes('admin') ?? false;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1];
}

/** Paths the rate limiter never counts (probes and scrapers must always get through). */
export function isPublicPath(url: string): boolean {
  return url.startsWith('/health/') || url === '/metrics';
}
