// Own parsing of times: Date.parse reads a time without a zone as local time instead of refusing it,
// and Temporal is not in Node 24 without a flag; a dozen lines do it strictly.
import { ServiceError } from '@kafka-poc/resilience';

/** A mistake in the command line: the CLI exits with 2 and this message (naming the argument), no stack. */
export class UsageError extends ServiceError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message, { retryable: false });
  }
}

/** A whole number >= min, e.g. --limit or --partition. */
export function parseInteger(option: string, text: string | undefined, min = 0): number {
  if (
    text === undefined ||
    !/^\d+$/.test(text) ||
    !Number.isSafeInteger(Number(text)) ||
    Number(text) < min
  ) {
    throw new UsageError(`${option} must be a whole number >= ${min}, got "${text ?? ''}"`);
  }
  return Number(text);
}

/** A Kafka offset: a whole number >= 0, kept exact as a bigint. */
export function parseOffset(option: string, text: string | undefined): bigint {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new UsageError(`${option} must be an offset (a whole number >= 0), got "${text ?? ''}"`);
  }
  return BigInt(text);
}

// ISO-8601 date and time with a zone: 2026-12-04T10:00Z, 2026-12-04 10:00:00.5+01:00, …+0100, …-05.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses an ISO-8601 instant (milliseconds since the epoch). A time without a zone is refused: it
 * would be read in the CLI's local zone, which may not be the operator's or the server's, and a
 * replay or rebuild at the wrong hour is silent. Fractions below a millisecond are truncated.
 */
export function parseInstant(text: string): number | { error: string } {
  const match = INSTANT.exec(text.trim());
  if (!match) return { error: `"${text}" is not an ISO-8601 time such as 2026-12-04T10:00:00Z` };
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  if (!zone) {
    const local = `${year}-${month}-${day}T${hour}:${minute}${match[6] ? `:${second}` : ''}`;
    return {
      error: `"${text}" has no time zone; write it as UTC (${local}Z) or with its offset (${local}+01:00, ${local}-05:00)`,
    };
  }
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(utc);
  const offset = zoneOffsetMs(zone);
  // Date.UTC rolls 2026-02-30 over into March; a value that does not come back as written is invalid.
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return { error: `"${text}" is not a valid date and time` };
  }
  if (offset === undefined) return { error: `"${text}" has an invalid zone offset "${zone}"` };
  return utc - offset;
}

function zoneOffsetMs(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}
