/**
 * Idempotency-Keys are scoped to the caller: the stored key is the caller's API key name and the
 * client's key joined by a control character (U+001F) that client keys may not contain (routes
 * refuse them), so no two (caller, key) pairs store the same text. Anonymous callers (local
 * development without keys) share one scope: their keys are stored as sent, which is also how every
 * key was stored before keys were scoped, so those rows keep their meaning and old and new
 * instances can run side by side during an upgrade with no schema change.
 */
export const IDEMPOTENCY_SCOPE_SEPARATOR = '\u001f';

export function scopedIdempotencyKey(caller: string | undefined, key: string): string {
  return caller === undefined ? key : `${caller}${IDEMPOTENCY_SCOPE_SEPARATOR}${key}`;
}
