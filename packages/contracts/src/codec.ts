import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_MAJOR_VERSION, envelopeHeader } from './events.ts';

/**
 * `malformed`: the message can never be read (invalid JSON, schema violation): dead-letter it.
 * `unsupported`: a well-formed envelope of a major version or event type this reader does not know,
 * written by a newer (or much older) producer. It is not poison: a consumer that knows it can
 * process it, so it is parked and retried, never dead-lettered.
 */
export type DecodeResult<T> =
  | { ok: true; event: T }
  | { ok: false; reason: 'malformed' | 'unsupported'; error: string };

/**
 * Parses and validates a message value against an event schema (a tolerant reader: fields a newer
 * minor version added are dropped). Never throws: a failure is a value the caller routes.
 */
export function decodeEvent<S extends z.ZodType>(
  schema: S,
  value: Buffer | string,
): DecodeResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed', error: `invalid JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const unsupported = unsupportedEvent(schema, json);
  if (unsupported) return { ok: false, reason: 'unsupported', error: unsupported };
  const details = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: 'malformed', error: `schema violation: ${details}` };
}

/** Why a message that fails `schema` is an event of another version or type, or undefined if it is not. */
function unsupportedEvent(schema: z.ZodType, json: unknown): string | undefined {
  const header = envelopeHeader.safeParse(json);
  const known = knownEvents(schema);
  if (!header.success || known.size === 0) return undefined;
  const { type, version } = header.data;
  if (known.has(`${type}@${version}`)) return undefined; // a known event that violates its schema
  const majors = [...known].filter((k) => k.startsWith(`${type}@`)).map((k) => k.split('@')[1]);
  return majors.length > 0
    ? `unsupported version ${version} of ${type} (this consumer reads version ${majors.join(', ')})`
    : `unknown event type ${type} (version ${version})`;
}

/** `type@version` of every event a schema (an envelope or a discriminated union of them) accepts. */
function knownEvents(schema: z.ZodType): Set<string> {
  const options = schema instanceof z.ZodDiscriminatedUnion ? schema.options : [schema];
  const known = new Set<string>();
  for (const option of options) {
    if (!(option instanceof z.ZodObject)) continue;
    const { type, version } = option.shape as Record<string, unknown>;
    if (!(type instanceof z.ZodLiteral) || !(version instanceof z.ZodLiteral)) continue;
    for (const t of type.values) for (const v of version.values) known.add(`${String(t)}@${String(v)}`);
  }
  return known;
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
  version: typeof EVENT_MAJOR_VERSION;
  occurredAt: string;
  source: string;
  correlationId?: string;
  payload: P;
} {
  return {
    id: randomUUID(),
    type,
    version: EVENT_MAJOR_VERSION,
    occurredAt: new Date().toISOString(),
    source,
    ...(correlationId ? { correlationId } : {}),
    payload,
  };
}
