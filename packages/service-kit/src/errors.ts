import { ServiceError } from '@kafka-poc/resilience';

export type AppErrorCode =
  | 'NOT_FOUND'
  | 'VALIDATION_FAILED'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** A domain/application error: a code, a message safe to show to clients, a cause, retryability. */
export class AppError extends ServiceError<AppErrorCode> {
  readonly fields: { field: string; message: string }[] | undefined;

  constructor(
    code: AppErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; fields?: { field: string; message: string }[] } = {},
  ) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? false });
    this.fields = options.fields;
  }
}
