import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

export type DecodeResult<T> = { ok: true; event: T } | { ok: false; error: string };

/**
 * Parses and validates a message value against an event schema. Never throws: a malformed or
 * schema-violating message is a value the caller routes to the dead-letter topic.
 */
export function decodeEvent<S extends z.ZodType>(
  schema: S,
  value: Buffer | string,
): DecodeResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `invalid JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const details = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, error: `schema violation: ${details}` };
  }
  return { ok: true, event: result.data };
}

/** Validates an event before it is written (to the outbox); throws on a programming error. */
export function encodeEvent<S extends z.ZodType>(schema: S, event: z.input<S>): string {
  return JSON.stringify(schema.parse(event));
}

/** Fills in the envelope fields every event shares. */
export function newEnvelope<T extends string, P>(
  type: T,
  source: string,
  payload: P,
  correlationId?: string,
): {
  id: string;
  type: T;
  version: 1;
  occurredAt: string;
  source: string;
  correlationId?: string;
  payload: P;
} {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source,
    ...(correlationId ? { correlationId } : {}),
    payload,
  };
}
