import { ServiceError } from '@kafka-poc/resilience';

export type LocalStackErrorCode =
  | 'JAVA_MISSING'
  | 'JAVA_TOO_OLD'
  | 'MAVEN_MISSING'
  | 'KAFKA_PROVISION_FAILED'
  | 'KAFKA_FORMAT_FAILED'
  | 'KAFKA_START_FAILED'
  | 'KAFKA_NOT_READY'
  | 'KAFKA_DATA_DIR_MISMATCH'
  | 'KAFKA_DATA_DIR_IN_USE'
  | 'KAFKA_UNKNOWN_NODE'
  | 'POSTGRES_INIT_FAILED'
  | 'POSTGRES_START_FAILED'
  | 'POSTGRES_NOT_READY'
  | 'POSTGRES_DIR_NOT_ACCESSIBLE'
  | 'PORT_IN_USE'
  | 'INFRA_NOT_RUNNING'
  | 'INFRA_ALREADY_RUNNING'
  | 'TLS_SETUP_FAILED'
  | 'SERVICE_START_FAILED'
  | 'BUILD_MISSING'
  | 'SERVICE_NOT_READY'
  | 'TOXIPROXY_PROVISION_FAILED'
  | 'TOXIPROXY_START_FAILED'
  | 'INVALID_ARGUMENT';

/** Every error the local stack throws: a code, the cause, whether retrying can help, and a hint for humans. */
export class LocalStackError extends ServiceError<LocalStackErrorCode> {
  readonly hint: string | undefined;

  constructor(
    code: LocalStackErrorCode,
    message: string,
    options: { cause?: unknown; retryable: boolean; hint?: string },
  ) {
    super(code, options.hint ? `${message}\n  hint: ${options.hint}` : message, options);
    this.hint = options.hint;
  }
}

/** Prints a LocalStackError (or anything else) for a CLI user: code and message, no stack for known errors. */
export function formatCliError(error: unknown): string {
  if (error instanceof LocalStackError) return `[${error.code}] ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
