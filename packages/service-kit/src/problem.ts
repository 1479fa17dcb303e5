import { isRetryableDbError, sqlState } from '@kafka-poc/db';
import { declaredRetryable } from '@kafka-poc/resilience';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type AppErrorCode } from './errors.ts';

const STATUS_BY_CODE: Record<AppErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION_FAILED: 422,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/**
 * The one place where errors become HTTP: RFC 9457 problem+json, never a stack trace, SQL or
 * internal message. Validation failures list every wrong field.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
  if (problem.status === 503) void reply.header('retry-after', '1');
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

function toProblem(error: FastifyError): ProblemBody {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((issue) => ({
      field: fieldName(where, issue.instancePath, issue.params),
      message: issue.message ?? 'invalid',
    }));
    return problemBody(
      422,
      'VALIDATION_FAILED',
      'Request validation failed',
      `The ${where} is invalid`,
      errors,
    );
  }
  if (error instanceof AppError) {
    const status = STATUS_BY_CODE[error.code];
    return problemBody(
      status,
      error.code,
      title(status),
      status >= 500 ? undefined : error.message,
      error.fields,
    );
  }
  if (isTransient(error))
    return problemBody(503, 'UNAVAILABLE', 'Service Unavailable', 'A dependency is unavailable; retry later');
  // PostgreSQL "data exception" (class 22): input that passed validation but the database refuses.
  if (sqlState(error)?.startsWith('22')) {
    return problemBody(
      422,
      'INVALID_INPUT',
      title(422),
      'The request contains a value that cannot be stored',
    );
  }
  // Fastify's own client errors (bad JSON 400, 413, 415, …) keep their status and message.
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return problemBody(error.statusCode, error.code ?? 'BAD_REQUEST', title(error.statusCode), error.message);
  }
  return problemBody(500, 'INTERNAL', 'Internal Server Error');
}

/** `quantity`, `address.city`, an unknown key's own name, or `(body)` for the whole body. */
function fieldName(where: string, instancePath: string, params: unknown): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  // Unknown keys (strict objects) are named in params.keys.
  const keys = (params as { keys?: string[] } | undefined)?.keys;
  const leaf = keys && keys.length > 0 ? keys.join(',') : '';
  const name = [path, leaf].filter(Boolean).join('.');
  const prefix = where === 'body' ? '' : `${where}.`;
  return name ? `${prefix}${name}` : `(${where})`;
}

function isTransient(error: unknown): boolean {
  if (isRetryableDbError(error)) return true;
  return declaredRetryable(error) === true;
}

/** An RFC 9457 problem body; the one definition of its shape and of `type` from the code. */
export function problemBody(
  status: number,
  code: string,
  titleText: string,
  detail?: string,
  errors?: { field: string; message: string }[],
): ProblemBody {
  return {
    type: `https://kafka-poc.local/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: titleText,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors ? { errors } : {}),
  };
}

function title(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    405: 'Method Not Allowed',
    413: 'Content Too Large',
    414: 'URI Too Long',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return titles[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}
