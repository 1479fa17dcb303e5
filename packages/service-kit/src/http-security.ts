import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import type { HttpSecurityConfig } from '@kafka-poc/config';
import type { FastifyRequest } from 'fastify';
import { type ApiKeyRecord, ApiKeyStore, allows, parseApiKeys, type Scope } from './api-keys.ts';
import { AppError } from './errors.ts';
import type { HttpServer } from './http-types.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; routes without one (health, metrics, docs) are public. */
    scope?: Scope;
    /**
     * Open to every caller, without a key or a session: the kit sets it on health and metrics, so
     * apps that close every route not marked (the console) leave probes and scrapers through.
     */
    public?: boolean;
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
 *
 * Every decision follows the route the router matched (`routeOptions`), never the raw URL, which can
 * spell one route many ways (`/%6Frders`, `http://host/orders`). The order of the hooks:
 * 1. a presented key is verified (onRequest), setting `principal`, without refusing anything yet;
 * 2. the rate limiter counts the request (the route's own onRequest hook, so after 1) in the bucket
 *    of the verified key's name, or of the client address when there is no valid key: a flood of
 *    made-up keys is counted against its address;
 * 3. a missing or bad key (401) or a missing scope (403) is refused (preParsing: after every
 *    onRequest hook, before the body is read).
 */
export async function registerHttpSecurity(app: HttpServer, config: HttpSecurityConfig): Promise<void> {
  const store = new ApiKeyStore(parseApiKeys(config.apiKeys));
  if (config.authRequired && store.size === 0) {
    throw new AppError(
      'INTERNAL',
      'AUTH_REQUIRED is on but no API key is configured (API_KEYS or API_KEYS_FILE)',
    );
  }
  app.decorateRequest('principal', undefined);
  app.decorateRequest('principalScopes', undefined);
  /** The record of each request's presented key (undefined: it matches no configured key). */
  const presented = new WeakMap<FastifyRequest, ApiKeyRecord | undefined>();
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (key === undefined) return;
    const record = store.find(key);
    presented.set(request, record);
    if (!record) return;
    request.principal = record.name;
    request.principalScopes = record.scopes;
  });
  if (config.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      // Never the presented key itself: a made-up key per request would get a fresh bucket each time.
      keyGenerator: (request) =>
        request.principal !== undefined ? `key:${request.principal}` : `ip:${request.ip}`,
      allowList: (request) => isPublicPath(request.routeOptions.url ?? ''),
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
  app.addHook('preParsing', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    if (!presented.has(request)) {
      if (!config.authRequired) return;
      void reply.header('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key> or x-api-key)');
    }
    const record = presented.get(request);
    if (!record) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new AppError('UNAUTHORIZED', 'invalid API key');
    }
    if (!allows(record, scope)) throw new AppError('FORBIDDEN', `this API key lacks the "${scope}" scope`);
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    // Swagger UI (the routes under /docs) needs its own scripts and styles; everything else is JSON
    // that needs nothing.
    if (!isDocsRoute(request.routeOptions.url)) {
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      void reply.header('cache-control', 'no-store');
    }
  });
}

function isDocsRoute(route: string | undefined): boolean {
  return route === '/docs' || (route?.startsWith('/docs/') ?? false);
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

/**
 * Routes the rate limiter never counts (probes and scrapers must always get through), by the route's
 * URL pattern (`routeOptions.url`), never a request's raw URL.
 */
export function isPublicPath(url: string): boolean {
  return url.startsWith('/health/') || url === '/metrics';
}
