import { problemResponse } from '@kafka-poc/contracts';
import type { RouteOptions } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import {
  contractViolations,
  operationResponses,
  PROBLEM_CONTENT_TYPE,
  type ResponseSpec,
  type RouteFacts,
  readDeclaredResponse,
} from './http-contract.ts';
import { API_KEY_SECURITY } from './http-security.ts';
import type { HttpServer } from './http-types.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Whether the handler reaches PostgreSQL or Kafka, so an outage answers 503. Defaults to true for
     * routes with a scope (every business route), false for the others (health, metrics, docs).
     */
    usesDependencies?: boolean;
  }
}

export interface ContractSettings {
  authRequired: boolean;
  /** Whether the rate limiter counts a route (by its URL pattern). */
  rateLimited: (url: string) => boolean;
  /** Test mode: a response the contract does not declare is replaced by a 500 that names the breach. */
  enforce: boolean;
}

interface RouteEntry {
  facts: RouteFacts;
  responses: Record<string, ResponseSpec>;
  /** OpenAPI links by status (`schema.links`): how a response's values feed other operations. */
  links: Record<string, Record<string, OpenAPIV3_1.LinkObject>>;
  hidden: boolean;
  /** The body schema accepts no body (e.g. `schema.optional()`): the document says it is not required. */
  bodyOptional: boolean;
}

/**
 * The registry of every route's contract, filled as routes are added (onRoute), read by the OpenAPI
 * document (completeDocument), the 405 answer for a known path with another method (allowedMethods)
 * and, in test mode, by a check of every response before it is sent.
 */
export class HttpContract {
  readonly #settings: ContractSettings;
  readonly #routes = new Map<string, RouteEntry>();
  readonly #paths = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  constructor(settings: ContractSettings) {
    this.#settings = settings;
  }

  /** Installs the hooks; call before any route is added. */
  register(app: HttpServer): void {
    app.addHook('onRoute', (route) => this.#collect(route));
    if (this.#settings.enforce) {
      app.addHook('onSend', async (request, reply, payload) => {
        const entry = this.#routes.get(key(request.method, request.routeOptions.url ?? ''));
        if (!entry || entry.hidden) return payload;
        const violations = contractViolations(entry.responses, {
          status: reply.statusCode,
          contentType: headerText(reply.getHeader('content-type')),
          headers: reply.getHeaders(),
        });
        if (violations.length === 0) return payload;
        request.log.error({ violations, status: reply.statusCode }, 'response breaks the API contract');
        void reply.code(500).type(PROBLEM_CONTENT_TYPE);
        return JSON.stringify({
          type: 'https://kafka-poc.local/problems/contract-violation',
          title: 'Internal Server Error',
          status: 500,
          code: 'CONTRACT_VIOLATION',
          detail: `${request.method} ${request.routeOptions.url}: ${violations.join('; ')}`,
        });
      });
    }
  }

  /** The responses of one operation, e.g. ('GET', '/orders/:id'). */
  responses(method: string, url: string): Record<string, ResponseSpec> | undefined {
    return this.#routes.get(key(method, url))?.responses;
  }

  /** The methods some route answers for this path, or an empty list when no route has the path. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const { pattern, methods: ofPath } of this.#paths.values()) {
      if (pattern.test(path)) for (const method of ofPath) methods.add(method);
    }
    return [...methods].sort();
  }

  /** @fastify/swagger's transformObject: completes each operation's responses and security. */
  completeDocument(document: OpenAPIV3_1.Document): OpenAPIV3_1.Document {
    const problemSchema = z.toJSONSchema(problemResponse) as Record<string, unknown>;
    delete problemSchema.$schema;
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, Problem: problemSchema as OpenAPIV3_1.SchemaObject },
    };
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item ?? {})) {
        if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
        const entry = this.#routes.get(key(method, fastifyPath(path)));
        if (!entry) continue;
        this.#completeOperation(operation as OpenAPIV3_1.OperationObject, entry);
      }
    }
    return document;
  }

  #completeOperation(operation: OpenAPIV3_1.OperationObject, entry: RouteEntry): void {
    if (entry.facts.scoped) {
      // Without AUTH_REQUIRED a key is optional ({}), but a presented one is still checked (401/403).
      operation.security = this.#settings.authRequired ? API_KEY_SECURITY : [...API_KEY_SECURITY, {}];
    } else {
      delete operation.security;
    }
    const generated = (operation.responses ?? {}) as Record<string, OpenAPIV3_1.ResponseObject>;
    const responses: Record<string, OpenAPIV3_1.ResponseObject> = {};
    for (const [status, spec] of Object.entries(entry.responses)) {
      const content =
        spec.problem && !spec.ownSchema
          ? { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } }
          : generated[status]?.content;
      responses[status] = {
        description: spec.description,
        ...(Object.keys(spec.headers).length > 0
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.headers).map(([name, header]) => [
                  name,
                  {
                    description: header.description,
                    required: header.required ?? false,
                    schema: header.schema,
                  } as OpenAPIV3_1.HeaderObject,
                ]),
              ),
            }
          : {}),
        ...(content ? { content } : {}),
        ...(entry.links[status] ? { links: entry.links[status] } : {}),
      };
    }
    operation.responses = responses;
    // @fastify/swagger always marks a body required; a route whose schema accepts none says otherwise.
    if (entry.bodyOptional && operation.requestBody && !('$ref' in operation.requestBody)) {
      operation.requestBody.required = false;
    }
  }

  #collect(route: RouteOptions): void {
    const config = (route.config ?? {}) as { scope?: string; usesDependencies?: boolean };
    const schema = (route.schema ?? {}) as Record<string, unknown> & {
      hide?: boolean;
      response?: Record<string, unknown>;
      links?: RouteEntry['links'];
    };
    const scoped = config.scope !== undefined;
    const declared = Object.fromEntries(
      Object.entries(schema.response ?? {}).map(([status, entry]) => [status, readDeclaredResponse(entry)]),
    );
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const facts: RouteFacts = {
        method,
        url: route.url,
        scoped,
        usesDependencies: config.usesDependencies ?? scoped,
        rateLimited: this.#settings.rateLimited(route.url),
        validates: ['params', 'querystring', 'headers', 'body'].some((part) => schema[part] !== undefined),
        declared,
      };
      this.#routes.set(key(method, route.url), {
        facts,
        responses: operationResponses(facts),
        links: schema.links ?? {},
        hidden: schema.hide === true,
        bodyOptional: acceptsNoBody(schema.body),
      });
      const path = this.#paths.get(route.url) ?? {
        pattern: urlPattern(route.url),
        methods: new Set<string>(),
      };
      path.methods.add(method.toUpperCase());
      this.#paths.set(route.url, path);
    }
  }
}

function key(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

/** `/orders/{id}` (OpenAPI) → `/orders/:id` (Fastify). */
function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/** A Fastify URL pattern as a regular expression over request paths (params never span a `/`). */
function urlPattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]*';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined ? undefined : String(value);
}

/** Whether a zod body schema accepts a request without a body (Fastify then validates `undefined`). */
function acceptsNoBody(body: unknown): boolean {
  if (!body || typeof body !== 'object' || !('safeParse' in body) || typeof body.safeParse !== 'function') {
    return false;
  }
  return (body.safeParse(undefined) as { success: boolean }).success;
}
