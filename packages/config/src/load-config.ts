import { ServiceError } from '@kafka-poc/resilience';
import type { z } from 'zod';

/** Raised once at start-up when the environment does not satisfy a service's config schema. */
export class ConfigError extends ServiceError<'CONFIG_INVALID'> {
  readonly issues: { path: string; message: string }[];

  constructor(issues: { path: string; message: string }[]) {
    super(
      'CONFIG_INVALID',
      `Invalid configuration:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      {
        retryable: false,
      },
    );
    this.issues = issues;
  }
}

/** Parses an environment once (the composition root passes process.env), with the given zod schema. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  return result.data;
}
