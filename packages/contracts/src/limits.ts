import { z } from 'zod';

/** Input bounds shared by HTTP validation and event schemas, so an accepted order is always a valid event. */
export const LIMITS = {
  itemMinLength: 1,
  itemMaxLength: 100,
  quantityMin: 1,
  quantityMax: 10_000,
  stockMax: 1_000_000_000,
  reasonMaxLength: 500,
  movementReasonMaxLength: 200,
  idempotencyKeyMaxLength: 200,
} as const;

// Patterns are written with explicit ranges, never `\p{…}` classes or lookarounds: they are published
// in the OpenAPI documents, and clients and property-based testers (schemathesis) must be able to
// read them and build values that match.

/**
 * C0 and C1 control characters (Unicode Cc; PostgreSQL text refuses NUL). Lone surrogates are refused
 * by `boundedText` instead: a pattern naming them cannot be compiled by validators outside JavaScript.
 */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';
/** Whitespace that is not a control character (what String.prototype.trim removes besides \t\n\v\f\r). */
const SPACE = '\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** Printable text: no control characters (such as NUL). */
export const PRINTABLE_TEXT = new RegExp(`^[^${CONTROL}]*$`, 'u');

/** A name: printable text that neither starts nor ends with whitespace (empty allowed; bound it apart). */
export const NAME_TEXT = new RegExp(
  `^(?:[^${CONTROL}${SPACE}](?:[^${CONTROL}]*[^${CONTROL}${SPACE}])?)?$`,
  'u',
);

/**
 * A header value as the server reads it (HTTP drops the spaces and tabs around a value): visible
 * ASCII, inner spaces allowed, at least one character.
 */
export const HEADER_TOKEN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Length in Unicode code points, as JSON Schema's minLength/maxLength and PostgreSQL count it. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * A string of `min`…`max` code points, well-formed (zod's own min/max count UTF-16 units, which
 * differs from what the published schema says for characters beyond the BMP, such as emoji).
 */
export function boundedText(min: number, max: number) {
  return (
    z
      .string()
      // A lone surrogate is no character at all; the database would store U+FFFD in its place.
      .refine((text) => text.isWellFormed(), { message: 'must be well-formed Unicode (no lone surrogates)' })
      .refine((text) => codePoints(text) >= min, {
        message: min === 1 ? 'must not be empty' : `must be at least ${min} characters long`,
      })
      .refine((text) => codePoints(text) <= max, { message: `must be at most ${max} characters long` })
      .meta({ minLength: min, maxLength: max })
  );
}

/** Item names, in requests and events: 1–100 characters, printable, no whitespace at either end. */
export const itemName = boundedText(LIMITS.itemMinLength, LIMITS.itemMaxLength).regex(
  NAME_TEXT,
  'must not contain control characters, nor start or end with whitespace',
);
