import { KafkaError } from '@kafka-poc/kafka';
import { AppError } from '@kafka-poc/service-kit';
import type { FastifyReply } from 'fastify';

/** Statuses the shared error handler has no AppError code for: the console answers them itself. */
const TITLES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};

/** Sends an RFC 9457 problem (same shape as the services' error handler). */
export function sendProblem(
  reply: FastifyReply,
  status: 401 | 403 | 415 | 429,
  code: string,
  detail: string,
): FastifyReply {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({
      type: `https://kafka-poc.local/problems/${code.toLowerCase().replaceAll('_', '-')}`,
      title: TITLES[status],
      status,
      code,
      detail,
    });
}

/**
 * Kafka errors as HTTP: an unknown topic is a 404, a reset of a group with members a 409, a bad
 * argument a 422, anything retryable a 503; the rest stays a 500 (logged, never shown).
 */
export function toHttpError(error: unknown): unknown {
  if (!(error instanceof KafkaError)) return error;
  switch (error.code) {
    case 'TOPIC_NOT_FOUND':
      return new AppError('NOT_FOUND', error.message, { cause: error });
    case 'GROUP_NOT_EMPTY':
      return new AppError('CONFLICT', error.message, { cause: error });
    case 'INVALID_ARGUMENT':
      return new AppError('VALIDATION_FAILED', error.message, { cause: error });
    case 'KAFKA_UNREACHABLE':
      return new AppError('UNAVAILABLE', 'Kafka is unreachable', { cause: error, retryable: true });
    default:
      return error.retryable
        ? new AppError('UNAVAILABLE', 'Kafka did not answer; retry later', { cause: error, retryable: true })
        : error;
  }
}

/** A 503 that says which dependency is down (the console's own messages; never a raw error). */
export function sendUnavailable(reply: FastifyReply, detail: string): FastifyReply {
  return reply.status(503).header('retry-after', '1').type('application/problem+json').send({
    type: 'https://kafka-poc.local/problems/unavailable',
    title: 'Service Unavailable',
    status: 503,
    code: 'UNAVAILABLE',
    detail,
  });
}
