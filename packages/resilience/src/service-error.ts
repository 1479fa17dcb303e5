export interface ServiceErrorOptions {
  cause?: unknown;
  /** Whether the same operation can succeed later (the environment failed, not the request). */
  retryable: boolean;
}

/**
 * The one error base of the project: a stable code for programs, a message for humans, the cause,
 * and whether retrying can help. Database, Kafka, outbox, service and tool errors extend it, so a
 * caller decides "retry or give up" with `isRetryable`, never by duck typing.
 */
export class ServiceError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: ServiceErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
  }
}

/** The retryability a ServiceError declares, or undefined for anything else (the caller classifies it). */
export function declaredRetryable(error: unknown): boolean | undefined {
  return error instanceof ServiceError ? error.retryable : undefined;
}
