import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { HttpSecurityConfig } from '@kafka-poc/config';
import Fastify, { LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { OPENAPI_SECURITY_SCHEMES, registerHttpSecurity } from './http-security.ts';
import type { HttpServer } from './http-types.ts';
import type { ServiceMetrics } from './metrics.ts';
import { handleError } from './problem.ts';
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
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only: any other body type is answered 415, not parsed and then rejected.
  app.removeContentTypeParser(['text/plain']);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'https://kafka-poc.local/problems/not-found',
        title: 'Not Found',
        status: 404,
        code: 'NOT_FOUND',
        detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
      }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version },
      components: { securitySchemes: OPENAPI_SECURITY_SCHEMES },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await registerHttpSecurity(app, options.security ?? DEV_SECURITY);
  observeRequests(app, options.metrics);
  traceRequests(app, options.tracing);
  addHealthRoutes(app, options);
  return app;
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
  const hide = { schema: { hide: true } };
  app.get('/health/live', hide, async () => ({ status: 'ok' }));
  app.get('/health/ready', hide, async (_request, reply) => {
    const result = await options.readiness.evaluate();
    return reply
      .status(result.ok ? 200 : 503)
      .send({ status: result.ok ? 'ready' : 'not-ready', checks: result.checks });
  });
  app.get('/metrics', hide, async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
}
