import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  contractViolations,
  derivedErrorStatuses,
  operationResponses,
  PROBLEM_CONTENT_TYPE,
  problem,
  type RouteFacts,
  readDeclaredResponse,
  respond,
} from './http-contract.ts';

const route = (overrides: Partial<RouteFacts>): RouteFacts => ({
  method: 'GET',
  url: '/things',
  scoped: false,
  usesDependencies: false,
  rateLimited: false,
  validates: false,
  declared: { '200': { contentTypes: [], headers: {} } },
  ...overrides,
});

describe('derived error statuses', () => {
  it('a public GET without input or dependencies can only fail unexpectedly', () => {
    expect(derivedErrorStatuses(route({}))).toEqual(['500']);
  });

  it('a scoped, validated, rate-limited GET with a path parameter that reads the database', () => {
    const statuses = derivedErrorStatuses(
      route({ url: '/things/:id', scoped: true, usesDependencies: true, rateLimited: true, validates: true }),
    );
    expect(statuses).toEqual(['400', '401', '403', '414', '422', '429', '500', '503']);
  });

  it('a method with a body can be malformed, too large or not JSON', () => {
    expect(derivedErrorStatuses(route({ method: 'POST' }))).toEqual(['400', '413', '415', '500']);
    expect(derivedErrorStatuses(route({ method: 'delete' }))).toEqual(['400', '413', '415', '500']);
    expect(derivedErrorStatuses(route({ method: 'HEAD' }))).toEqual(['500']);
  });
});

describe('operation responses', () => {
  it('gives errors a problem body, and successes JSON unless declared otherwise', () => {
    const responses = operationResponses(
      route({
        scoped: true,
        declared: {
          '200': readDeclaredResponse(z.object({ a: z.string() })),
          '404': readDeclaredResponse(z.object({ type: z.string() })),
        },
      }),
    );
    expect(Object.keys(responses).sort()).toEqual(['200', '401', '403', '404', '500']);
    expect(responses['200']).toMatchObject({ contentTypes: ['application/json'], problem: false });
    expect(responses['404']).toMatchObject({ contentTypes: [PROBLEM_CONTENT_TYPE], problem: true });
    expect(responses['401']?.headers['www-authenticate']?.required).toBe(true);
  });

  it('keeps what a route declares: media type, description, headers', () => {
    const responses = operationResponses(
      route({
        method: 'POST',
        usesDependencies: true,
        declared: {
          '201': readDeclaredResponse(
            respond(z.object({ id: z.string() }), {
              description: 'Created it',
              headers: { location: { description: 'where', schema: { type: 'string' }, required: true } },
            }),
          ),
          '200': readDeclaredResponse(
            respond(z.string(), { description: 'Text', contentType: 'text/plain' }),
          ),
          '409': readDeclaredResponse(problem('Busy')),
          // A route may answer an error status with its own body (readiness: 503 with the checks).
          '503': readDeclaredResponse(respond(z.object({}), { description: 'Not ready' })),
        },
      }),
    );
    expect(responses['201']).toMatchObject({ description: 'Created it', contentTypes: ['application/json'] });
    expect(responses['201']?.headers.location?.required).toBe(true);
    expect(responses['200']?.contentTypes).toEqual(['text/plain']);
    expect(responses['409']).toMatchObject({ description: 'Busy', problem: true });
    expect(responses['503']).toMatchObject({ contentTypes: ['application/json'], problem: false });
    expect(responses['415']).toMatchObject({ contentTypes: [PROBLEM_CONTENT_TYPE], problem: true });
    expect(responses['429']).toBeUndefined();
  });

  it('declares Retry-After on 429 and 503 problems', () => {
    const responses = operationResponses(route({ rateLimited: true, usesDependencies: true }));
    expect(responses['429']?.headers['retry-after']?.required).toBe(true);
    expect(responses['503']?.headers['retry-after']?.required).toBe(true);
  });
});

describe('contract violations', () => {
  const responses = operationResponses(
    route({
      declared: {
        '201': readDeclaredResponse(
          respond(z.object({}), {
            description: 'Created',
            headers: { location: { description: 'where', schema: { type: 'string' }, required: true } },
          }),
        ),
      },
      scoped: true,
    }),
  );

  it('accepts a declared response (media type parameters aside)', () => {
    expect(
      contractViolations(responses, {
        status: 201,
        contentType: 'application/json; charset=utf-8',
        headers: { location: '/things/1' },
      }),
    ).toEqual([]);
    expect(
      contractViolations(responses, {
        status: 401,
        contentType: 'application/problem+json; charset=utf-8',
        headers: { 'www-authenticate': 'Bearer' },
      }),
    ).toEqual([]);
  });

  it('names an undeclared status, media type or a missing required header', () => {
    expect(contractViolations(responses, { status: 418, contentType: undefined, headers: {} })[0]).toMatch(
      /status 418 is not declared/,
    );
    expect(
      contractViolations(responses, { status: 201, contentType: 'text/html', headers: { location: '/' } }),
    ).toEqual(['content type text/html is not declared for 201 (application/json)']);
    expect(
      contractViolations(responses, { status: 201, contentType: 'application/json', headers: {} }),
    ).toEqual(['required header location is missing from the 201']);
    expect(
      contractViolations(responses, { status: 401, contentType: 'application/json', headers: {} }),
    ).toHaveLength(2);
  });
});
