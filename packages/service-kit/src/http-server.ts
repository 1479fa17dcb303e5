import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { HttpSecurityConfig } from '@kafka-poc/config';
import { healthResponse, readinessResponse } from '@kafka-poc/contracts';
import Fastify, {
  type FastifyContextConfig,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type AuditPolicy, type AuditTrail, registerAudit } from './audit.ts';
import { PROBLEM_CONTENT_TYPE, respond } from './http-contract.ts';
import { HttpContract } from './http-contract-hooks.ts';
import { isPublicPath, OPENAPI_SECURITY_SCHEMES, registerHttpSecurity } from './http-security.ts';
import type { HttpServer } from './http-types.ts';
import type { ServiceMetrics } from './metrics.ts';
import { handleError, problemBody } from './problem.ts';
import type { Readiness } from './readiness.ts';
import { endWithError, type Span, SpanKind, type Tracing } from './tracing.ts';

export type { HttpServer } from './http-types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's SERVER span (tracing on) — handlers inject its traceparent into events. */
    span?: Span;
  }
}

const DEV_SECURITY: HttpSecurityConfig = {
  authRequired: false,
  apiKeys: '',
  rateLimitPerMinute: 0,
  corsOrigins: [],
  bodyLimitBytes: 64 * 1024,
};

const MAX_PARAM_LENGTH = 2048;

export interface HttpServerOptions {
  tracing: Tracing;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
  title: string;
  description: string;
  version: string;
  /** Auth, rate limit, CORS, body limit; defaults to open local development settings. */
  security?: HttpSecurityConfig;
  /**
   * Test mode: every response is checked against the operation's contract before it is sent, and one
   * the contract does not declare (status, media type, required header) becomes a 500 naming it.
   */
  enforceContract?: boolean;
  /** The audit trail and which requests it records (docs/observability.md, "Audit trail"). */
  audit?: { trail: AuditTrail; policy: AuditPolicy };
}

/** One route as it was added: method, URL pattern (`/orders/:id`) and config (scope, public, …). */
export interface RouteRow {
  method: string;
  url: string;
  config: FastifyContextConfig;
}

const routeTables = new WeakMap<object, RouteRow[]>();

/**
 * Every route of a server made by createHttpServer (its own, the caller's, those of plugins, HEAD
 * routes included), in the order they were added: lets tests reach each route without a list of
 * their own.
 */
export function registeredRoutes(app: HttpServer): readonly RouteRow[] {
  return routeTables.get(app) ?? [];
}

/**
 * A Fastify server with what every service shares: zod validation and OpenAPI 3.1 (/openapi.json,
 * Swagger UI at /docs), problem+json errors, request metrics, /health/live, /health/ready, /metrics.
 * Routes are added by the caller before `listen`.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.security?.bodyLimitBytes ?? 64 * 1024,
    // One line per request is too much at thousands of orders/s; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Path parameters are compared URL-encoded: an item name of 100 emoji is 1200 characters. Longer
    // ones are answered 414 (declared by every route with a path parameter).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    // An absolute-form target (`GET http://host/orders`, RFC 9112 §3.2.2) names a path on this server.
    // The router matches it as that path anyway; plugins that read the raw URL (sessions: the
    // console's were not loaded, and a login answered 500) get the path too.
    rewriteUrl: (request) => originForm(request.url ?? '/'),
    // A URL that cannot be decoded (e.g. a lone `%`) is answered before routing: a problem too.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
  }).withTypeProvider<ZodTypeProvider>();

  const routes: RouteRow[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, config: (route.config ?? {}) as FastifyContextConfig });
    }
  });

  const security = options.security ?? DEV_SECURITY;
  // Registered first: it sees every route as it is added, the kit's own included.
  const contract = new HttpContract({
    authRequired: security.authRequired,
    rateLimited: (url) => security.rateLimitPerMinute > 0 && !isPublicPath(url),
    enforce: options.enforceContract ?? false,
  });
  contract.register(app);

  // The API speaks JSON only: any other body type is answered 415, not parsed and then rejected.
  app.removeContentTypeParser(['text/plain']);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => answerUnrouted(contract, request, reply));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version },
      components: { securitySchemes: OPENAPI_SECURITY_SCHEMES },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      contract.completeDocument((document as { openapiObject: OpenAPIV3_1.Document }).openapiObject),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await registerHttpSecurity(app, security);
  if (options.audit) registerAudit(app, options.audit.trail, options.audit.policy);
  // No route: answer before the body is read (an unknown path is 404 and a known path with another
  // method 405, whatever the body). The rate limiter hooks onto routes, so it does not count these.
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return answerUnrouted(contract, request, reply);
  });
  observeRequests(app, options.metrics);
  traceRequests(app, options.tracing);
  addHealthRoutes(app, options);
  return app;
}

/** `http://host/path?query` → `/path?query`; any other request target as it is. */
export function originForm(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!authority) return url;
  const rest = url.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** 404 for an unknown path; 405 with Allow for a known path asked with a method it lacks (RFC 9110). */
function answerUnrouted(contract: HttpContract, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  const allowed = contract.allowedMethods(path);
  const [status, code, title, detail] =
    allowed.length > 0
      ? [
          405,
          'METHOD_NOT_ALLOWED',
          'Method Not Allowed',
          `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        ]
      : [404, 'NOT_FOUND', 'Not Found', `No route for ${request.method} ${path}`];
  if (allowed.length > 0) void reply.header('allow', allowed.join(', '));
  return reply
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(status, code, title, detail));
}

function observeRequests(app: HttpServer, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration
      .labels(request.method, route, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });
}

function traceRequests(app: HttpServer, tracing: Tracing): void {
  if (!tracing.enabled) return;
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route.startsWith('/health') || route === '/metrics') return;
    const incoming = request.headers.traceparent;
    const span = tracing.startSpan(
      `${request.method} ${route}`,
      SpanKind.SERVER,
      typeof incoming === 'string' ? incoming : undefined,
      {
        'http.request.method': request.method,
        'http.route': route,
        'url.path': request.url.split('?')[0] ?? '',
      },
    );
    request.span = span;
    const traceId = span.spanContext().traceId;
    request.log = request.log.child({ traceId });
    void reply.header('x-trace-id', traceId);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.span) return;
    request.span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) endWithError(request.span, new Error(`HTTP ${reply.statusCode}`));
    else request.span.end();
  });
}

function addHealthRoutes(app: HttpServer, options: HttpServerOptions): void {
  app.get(
    '/health/live',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['health'],
        response: { 200: healthResponse },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/health/ready',
    {
      config: { public: true },
      schema: {
        summary: 'Readiness: every dependency check passes (the body says which fails)',
        tags: ['health'],
        response: {
          200: respond(readinessResponse, { description: 'Ready' }),
          503: respond(readinessResponse, { description: 'Not ready: at least one check fails' }),
        },
      },
    },
    async (_request, reply) => {
      const result = await options.readiness.evaluate();
      return reply
        .status(result.ok ? 200 : 503)
        .send({ status: result.ok ? 'ready' : 'not-ready', checks: result.checks });
    },
  );
  const contentType = options.metrics.registry.contentType;
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['health'],
        response: { 200: respond(z.string(), { description: 'Metrics', contentType }) },
      },
    },
    async (_request, reply) => reply.type(contentType).send(await options.metrics.registry.metrics()),
  );
}
