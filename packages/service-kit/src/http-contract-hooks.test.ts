import type { HttpSecurityConfig } from '@kafka-poc/config';
import { problemResponse } from '@kafka-poc/contracts';
import type { FastifyReply } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { problem, respond } from './http-contract.ts';
import { createHttpServer, type HttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { createServiceMetrics } from './metrics.ts';
import { Readiness } from './readiness.ts';
import { Tracing } from './tracing.ts';

// The contract machinery on a real Fastify server (inject, no socket): the OpenAPI document it
// completes, 404/405 for what no route answers, and the test-mode check of every response.

let app: HttpServer | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const security = (overrides: Partial<HttpSecurityConfig> = {}): HttpSecurityConfig => ({
  authRequired: false,
  apiKeys: '',
  rateLimitPerMinute: 0,
  corsOrigins: [],
  bodyLimitBytes: 64 * 1024,
  ...overrides,
});

async function server(options: { security?: HttpSecurityConfig; enforce?: boolean } = {}) {
  const names = { service: 'contract-test', instance: 't' };
  app = await createHttpServer({
    tracing: new Tracing(names),
    logger: createLogger({ ...names, level: 'silent', pretty: false }),
    metrics: createServiceMetrics(names),
    readiness: new Readiness(),
    title: 'test',
    description: 'test',
    version: '0',
    security: options.security ?? security(),
    enforceContract: options.enforce ?? true,
  });
  app.get(
    '/things/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getThing',
        params: z.strictObject({ id: z.string().max(8) }),
        response: { 200: z.object({ id: z.string() }), 404: problemResponse },
      },
    },
    async (request, reply) => {
      // Answers the typed route would not allow: what the check is there to catch.
      const untyped = reply as unknown as FastifyReply;
      if (request.params.id === 'teapot') return untyped.status(418).send({ id: 'teapot' });
      if (request.params.id === 'html') return untyped.type('text/html').send('<p>');
      return { id: request.params.id };
    },
  );
  app.post(
    '/things',
    {
      config: { scope: 'admin' },
      schema: {
        body: z.strictObject({ name: z.string() }),
        response: {
          201: respond(z.object({ id: z.string() }), {
            description: 'Created',
            headers: { location: { description: 'where', schema: { type: 'string' }, required: true } },
          }),
          409: problem('Exists'),
        },
        links: { 201: { GetThing: { operationId: 'getThing', parameters: { id: '$response.body#/id' } } } },
      },
    },
    async (request, reply) => {
      if (request.body.name === 'no-location') return reply.status(201).send({ id: '1' });
      return reply.status(201).header('location', '/things/1').send({ id: '1' });
    },
  );
  app.post(
    '/things/:id/close',
    {
      config: { scope: 'admin' },
      schema: {
        params: z.strictObject({ id: z.string().max(8) }),
        body: z.strictObject({ why: z.string() }).nullish(),
        response: {
          200: z.object({ id: z.string() }),
          409: respond(problemResponse.extend({ thing: z.object({ id: z.string() }) }), {
            description: 'Closed already; `thing` is its state',
            contentType: 'application/problem+json',
          }),
        },
      },
    },
    async (request) => ({ id: request.params.id }),
  );
  await app.ready();
  return app;
}

const documentOf = (server: HttpServer) => server.swagger() as OpenAPIV3_1.Document;

describe('OpenAPI document', () => {
  it('completes every operation with the errors the server can answer, as problems', async () => {
    const doc = documentOf(await server({ security: security({ rateLimitPerMinute: 100 }) }));
    const get = doc.paths?.['/things/{id}']?.get;
    expect(Object.keys(get?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '403', '404', '414', '422', '429', '500', '503'].sort(),
    );
    const notFound = get?.responses?.['404'] as OpenAPIV3_1.ResponseObject;
    expect(notFound.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(doc.components?.schemas?.Problem).toMatchObject({ type: 'object', required: expect.any(Array) });
    const post = doc.paths?.['/things']?.post;
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503'].sort(),
    );
    const created = post?.responses?.['201'] as OpenAPIV3_1.ResponseObject;
    expect(created.headers?.location).toMatchObject({ required: true, schema: { type: 'string' } });
    expect(created.links?.GetThing).toEqual({
      operationId: 'getThing',
      parameters: { id: '$response.body#/id' },
    });
    const tooMany = post?.responses?.['429'] as OpenAPIV3_1.ResponseObject;
    expect(tooMany.headers?.['retry-after']).toMatchObject({ required: true });
  });

  it('shows a problem with extension members with its own schema, and an optional body as not required', async () => {
    const doc = documentOf(await server());
    const close = doc.paths?.['/things/{id}/close']?.post;
    const body = (path: string) =>
      (doc.paths?.[path]?.post?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.required;
    expect(body('/things/{id}/close')).toBe(false);
    expect(body('/things')).toBe(true);
    const closed = close?.responses?.['409'] as OpenAPIV3_1.ResponseObject;
    const schema = closed.content?.['application/problem+json']?.schema as OpenAPIV3_1.SchemaObject;
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['code', 'thing']));
  });

  it('says a key is optional unless AUTH_REQUIRED; public routes have no security', async () => {
    const open = documentOf(await server());
    expect(open.paths?.['/things']?.post?.security).toEqual([{ apiKey: [] }, { bearer: [] }, {}]);
    expect(open.paths?.['/health/live']?.get?.security).toBeUndefined();
    expect(Object.keys(open.paths?.['/health/live']?.get?.responses ?? {})).toEqual(['200', '500']);
    await app?.close();
    const keyed = documentOf(
      await server({ security: security({ authRequired: true, apiKeys: `k:admin:${'0'.repeat(64)}` }) }),
    );
    expect(keyed.paths?.['/things']?.post?.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
  });

  it('publishes the kit routes with their real media types', async () => {
    const doc = documentOf(await server());
    const metrics = doc.paths?.['/metrics']?.get?.responses?.['200'] as OpenAPIV3_1.ResponseObject;
    expect(Object.keys(metrics.content ?? {})).toEqual([expect.stringMatching(/^text\/plain/)]);
    const ready = doc.paths?.['/health/ready']?.get?.responses?.['503'] as OpenAPIV3_1.ResponseObject;
    expect(Object.keys(ready.content ?? {})).toEqual(['application/json']);
    expect(doc.paths?.['/openapi.json']).toBeUndefined();
  });
});

describe('requests no route answers', () => {
  it('answers 405 with Allow for a known path, before reading the body', async () => {
    const s = await server();
    const response = await s.inject({
      method: 'DELETE',
      url: '/things/1',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await s.inject({ method: 'PATCH', url: '/things' })).headers.allow).toBe('POST');
  });

  it('answers 404 for an unknown path, and a problem for an undecodable URL', async () => {
    const s = await server();
    const missing = await s.inject({ method: 'POST', url: '/nothing', payload: 'x' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
    const bad = await s.inject({ method: 'GET', url: '/things/%' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('test-mode response check', () => {
  it('lets declared responses through', async () => {
    const s = await server();
    expect((await s.inject({ method: 'GET', url: '/things/abc' })).statusCode).toBe(200);
    const created = await s.inject({ method: 'POST', url: '/things', payload: { name: 'x' } });
    expect(created.statusCode).toBe(201);
    expect((await s.inject({ method: 'GET', url: '/things/far-too-long' })).statusCode).toBe(422);
  });

  it('turns an undeclared status, media type or missing header into a 500 that names it', async () => {
    const s = await server();
    const teapot = await s.inject({ method: 'GET', url: '/things/teapot' });
    expect(teapot.statusCode).toBe(500);
    expect(teapot.json()).toMatchObject({ code: 'CONTRACT_VIOLATION', detail: expect.stringMatching(/418/) });
    const html = await s.inject({ method: 'GET', url: '/things/html' });
    expect(html.json().detail).toMatch(/content type text\/html is not declared for 200/);
    const headerless = await s.inject({ method: 'POST', url: '/things', payload: { name: 'no-location' } });
    expect(headerless.json().detail).toMatch(/required header location is missing/);
  });

  it('is off outside test mode', async () => {
    const s = await server({ enforce: false });
    expect((await s.inject({ method: 'GET', url: '/things/teapot' })).statusCode).toBe(418);
  });
});
