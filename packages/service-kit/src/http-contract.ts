import { problemResponse } from '@kafka-poc/contracts';
import type { ZodType } from 'zod';

// What each operation can answer, derived from what the server does around every route (auth, rate
// limit, body parsing, validation, dependencies) plus what the route itself declares (its successes
// and its domain errors such as 404/409/412). The OpenAPI document and the test-mode response check
// both read this, so the contract and the server cannot drift apart. See docs/api-contract.md.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const JSON_CONTENT_TYPE = 'application/json';

/** A response header: OpenAPI header object (schema is JSON Schema), `required` if always sent. */
export interface HeaderSpec {
  description: string;
  schema: Record<string, unknown>;
  required?: boolean;
}

/** What the kit knows about one route, from its options (collected when the route is added). */
export interface RouteFacts {
  method: string;
  /** Fastify's pattern, e.g. `/orders/:id`. */
  url: string;
  /** The API-key scope the route needs; routes without one are public. */
  scoped: boolean;
  /** Whether it reaches PostgreSQL or Kafka, so a dependency outage answers 503. */
  usesDependencies: boolean;
  /** Whether the rate limiter counts it. */
  rateLimited: boolean;
  /** Whether a zod schema validates params, query, headers or body (→ 422). */
  validates: boolean;
  /** The responses the route declares itself (`schema.response`). */
  declared: Record<string, DeclaredResponse>;
}

export interface DeclaredResponse {
  /** Media types; empty means "JSON" for a success and "problem+json" for an error. */
  contentTypes: string[];
  /**
   * A problem with its own schema (the Problem with extension members, e.g. the resource's current
   * state): the document shows that schema instead of the shared Problem.
   */
  ownSchema?: boolean;
  headers: Record<string, HeaderSpec>;
  description?: string;
}

/** One response of an operation as the contract states it. */
export interface ResponseSpec {
  description: string;
  contentTypes: string[];
  headers: Record<string, HeaderSpec>;
  /** An RFC 9457 problem body (application/problem+json with the Problem schema). */
  problem: boolean;
  /** The route's own problem schema (extension members) replaces the shared Problem in the document. */
  ownSchema?: boolean;
}

/** Methods whose request body Fastify reads (and so can refuse as malformed, too large or not JSON). */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

const RETRY_AFTER: HeaderSpec = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'string', pattern: '^[0-9]+$' },
  required: true,
};

const DERIVED: Record<string, { description: string; headers?: Record<string, HeaderSpec> }> = {
  '400': { description: 'Malformed request: the body is not valid JSON, or the URL cannot be decoded' },
  '401': {
    description: 'No API key where one is required, or an invalid key',
    headers: {
      'www-authenticate': {
        description: 'The authentication scheme to use (Bearer)',
        schema: { type: 'string' },
        required: true,
      },
    },
  },
  '403': { description: 'The API key lacks the scope this operation needs' },
  '413': { description: 'The body is larger than the configured limit (HTTP_BODY_LIMIT_BYTES)' },
  '414': { description: 'A path parameter is longer than the server reads (2048 characters, URL-encoded)' },
  '415': { description: 'The body is not application/json' },
  '422': { description: 'The request is invalid; `errors` names each wrong field' },
  '429': { description: 'Rate limit exceeded', headers: { 'retry-after': RETRY_AFTER } },
  '500': { description: 'Unexpected error (details are logged, never returned)' },
  '503': {
    description: 'A dependency (PostgreSQL or Kafka) is unavailable; retry later',
    headers: { 'retry-after': RETRY_AFTER },
  },
};

/** The error statuses the server itself can answer for a route, whatever the route declares. */
export function derivedErrorStatuses(route: RouteFacts): string[] {
  const statuses = ['500'];
  const takesBody = !BODYLESS_METHODS.has(route.method.toUpperCase());
  const hasPathParams = route.url.includes(':');
  if (takesBody || hasPathParams) statuses.push('400');
  if (hasPathParams) statuses.push('414');
  if (takesBody) statuses.push('413', '415');
  if (route.validates) statuses.push('422');
  if (route.scoped) statuses.push('401', '403');
  if (route.rateLimited) statuses.push('429');
  if (route.usesDependencies) statuses.push('503');
  return statuses.sort();
}

/** Every response of the operation: the route's own declarations, completed by the derived errors. */
export function operationResponses(route: RouteFacts): Record<string, ResponseSpec> {
  const responses: Record<string, ResponseSpec> = {};
  for (const [status, declared] of Object.entries(route.declared)) {
    const error = isErrorStatus(status);
    const problem =
      error && (declared.contentTypes.length === 0 || declared.contentTypes.includes(PROBLEM_CONTENT_TYPE));
    responses[status] = {
      description: declared.description ?? DERIVED[status]?.description ?? defaultDescription(status),
      contentTypes:
        declared.contentTypes.length > 0
          ? declared.contentTypes
          : [problem ? PROBLEM_CONTENT_TYPE : JSON_CONTENT_TYPE],
      headers: { ...(problem ? DERIVED[status]?.headers : {}), ...declared.headers },
      problem,
      ...(declared.ownSchema ? { ownSchema: true } : {}),
    };
  }
  for (const status of derivedErrorStatuses(route)) {
    if (responses[status]) continue;
    const derived = DERIVED[status];
    responses[status] = {
      description: derived?.description ?? defaultDescription(status),
      contentTypes: [PROBLEM_CONTENT_TYPE],
      headers: { ...derived?.headers },
      problem: true,
    };
  }
  return responses;
}

/**
 * What is wrong with a response the server is about to send, measured against the contract; empty
 * when it conforms. Media type parameters (charset) are ignored, as OpenAPI tools do.
 */
export function contractViolations(
  responses: Record<string, ResponseSpec>,
  reply: { status: number; contentType: string | undefined; headers: Record<string, unknown> },
): string[] {
  const spec = responses[String(reply.status)];
  if (!spec)
    return [`status ${reply.status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
  const problems: string[] = [];
  const media = mediaType(reply.contentType);
  if (media && !spec.contentTypes.some((declared) => mediaType(declared) === media)) {
    problems.push(
      `content type ${media} is not declared for ${reply.status} (${spec.contentTypes.join(', ')})`,
    );
  }
  for (const [name, header] of Object.entries(spec.headers)) {
    if (header.required && reply.headers[name.toLowerCase()] === undefined) {
      problems.push(`required header ${name} is missing from the ${reply.status}`);
    }
  }
  return problems;
}

/**
 * A route's response with its media type, description and headers, e.g.
 * `201: respond(orderResponse, { description: 'Created', headers: { location: … } })`.
 * A bare zod schema stays the short form (JSON for a success, problem+json for an error).
 */
export function respond<T extends ZodType>(
  schema: T,
  options: { description: string; contentType?: string; headers?: Record<string, HeaderSpec> },
): ContentResponse<T> {
  return {
    description: options.description,
    content: { [options.contentType ?? JSON_CONTENT_TYPE]: { schema } },
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/** A domain error the route answers (404, 409, 412, …) as a problem, with what it means here. */
export function problem(
  description: string,
  headers?: Record<string, HeaderSpec>,
): ContentResponse<typeof problemResponse> {
  return respond(problemResponse, {
    description,
    contentType: PROBLEM_CONTENT_TYPE,
    ...(headers ? { headers } : {}),
  });
}

/** The `content` form Fastify, @fastify/swagger and fastify-type-provider-zod all understand. */
export interface ContentResponse<T extends ZodType> {
  description: string;
  content: Record<string, { schema: T }>;
  headers?: Record<string, HeaderSpec>;
}

/** Reads one entry of a route's `schema.response` into what the contract needs. */
export function readDeclaredResponse(entry: unknown): DeclaredResponse {
  if (
    entry &&
    typeof entry === 'object' &&
    'content' in entry &&
    entry.content &&
    typeof entry.content === 'object'
  ) {
    const form = entry as {
      content: Record<string, unknown>;
      headers?: Record<string, HeaderSpec>;
      description?: string;
    };
    const ownSchema = Object.values(form.content).some(
      (media) =>
        media !== null &&
        typeof media === 'object' &&
        'schema' in media &&
        media.schema !== undefined &&
        media.schema !== problemResponse,
    );
    return {
      contentTypes: Object.keys(form.content),
      ...(ownSchema ? { ownSchema } : {}),
      headers: form.headers ?? {},
      ...(form.description ? { description: form.description } : {}),
    };
  }
  return { contentTypes: [], headers: {} };
}

export function isErrorStatus(status: string): boolean {
  return /^[45]/.test(status);
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function defaultDescription(status: string): string {
  const texts: Record<string, string> = {
    '200': 'OK',
    '201': 'Created',
    '202': 'Accepted',
    '204': 'No Content',
    '304': 'Not Modified',
    '404': 'Not found',
    '409': 'Conflict with the current state',
    '412': 'Precondition failed (If-Match)',
    '428': 'Precondition required',
  };
  return texts[status] ?? `HTTP ${status}`;
}
