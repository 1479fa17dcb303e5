import { describe, expect, it } from 'vitest';
import { parseInstant, parseInteger, parseOffset, UsageError } from './args.ts';

describe('parseInstant', () => {
  it('reads UTC and offsets in every ISO-8601 spelling', () => {
    const at = Date.UTC(2026, 11, 4, 10, 0, 0);
    expect(parseInstant('2026-12-04T10:00Z')).toBe(at);
    expect(parseInstant('2026-12-04T10:00:00.000Z')).toBe(at);
    expect(parseInstant('2026-12-04T11:00+01:00')).toBe(at);
    expect(parseInstant('2026-12-04T11:00:00+0100')).toBe(at);
    expect(parseInstant('2026-12-04 05:00:00-05')).toBe(at);
    expect(parseInstant('2026-12-04T00:00Z')).toBe(Date.UTC(2026, 11, 4));
  });

  it('keeps milliseconds and truncates what is below them', () => {
    expect(parseInstant('2026-12-04T10:00:00.5Z')).toBe(Date.UTC(2026, 11, 4, 10, 0, 0, 500));
    expect(parseInstant('2026-12-04T10:00:00.123999Z')).toBe(Date.UTC(2026, 11, 4, 10, 0, 0, 123));
  });

  it('refuses a time or a date without a zone, showing both ways to write it', () => {
    expect(parseInstant('2026-12-04T10:00')).toEqual({
      error: expect.stringContaining(
        'has no time zone; write it as UTC (2026-12-04T10:00Z) or with its offset (2026-12-04T10:00+01:00',
      ),
    });
    expect(parseInstant('2026-12-04T10:00:30')).toEqual({
      error: expect.stringContaining('(2026-12-04T10:00:30Z)'),
    });
    expect(parseInstant('2026-12-04')).toEqual({ error: expect.stringContaining('(2026-12-04T00:00Z)') });
  });

  it('refuses impossible dates, times and zones', () => {
    for (const text of ['2026-02-30T10:00Z', '2026-13-01T10:00Z', '2026-12-04T24:00Z', '2026-12-04T10:60Z']) {
      expect(parseInstant(text), text).toEqual({ error: expect.stringMatching(/not a valid date and time/) });
    }
    expect(parseInstant('2026-12-04T10:00+25:00')).toEqual({ error: expect.stringMatching(/invalid zone/) });
    expect(parseInstant('tomorrow')).toEqual({ error: expect.stringMatching(/not an ISO-8601 time/) });
  });
});

describe('numbers', () => {
  it('parses whole numbers and offsets exactly', () => {
    expect(parseInteger('--limit', '25', 1)).toBe(25);
    expect(parseOffset('--offset', '9007199254740993')).toBe(9007199254740993n);
  });

  it('names the option in the error', () => {
    expect(() => parseInteger('--limit', 'ten', 1)).toThrow(
      new UsageError('--limit must be a whole number >= 1, got "ten"'),
    );
    expect(() => parseInteger('--limit', '0', 1)).toThrow(/--limit must be a whole number >= 1/);
    expect(() => parseInteger('--partition', '-1')).toThrow(/--partition/);
    expect(() => parseOffset('--offset', '1.5')).toThrow(/--offset must be an offset/);
    expect(() => parseOffset('--offset', undefined)).toThrow(UsageError);
  });
});
