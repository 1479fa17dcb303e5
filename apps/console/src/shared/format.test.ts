import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatCount,
  formatDuration,
  formatRate,
  formatTimestamp,
  parseHeaders,
  prettyValue,
  preview,
} from './format.ts';

describe('format', () => {
  it('formats counts, rates and durations', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('–');
    expect(formatRate(3.44)).toBe('3.4/s');
    expect(formatRate(1234)).toBe('1,234/s');
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(7_200_000)).toBe('2 h 0 min');
    expect(formatDuration(undefined)).toBe('–');
  });

  it('formats timestamps and ages', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 31, 12, 0, 5, 7), 'utc')).toBe('2026-01-31 12:00:05.007');
    expect(formatTimestamp('nonsense')).toBe('–');
    const now = Date.UTC(2026, 0, 31, 12);
    expect(formatAge(now - 500, now)).toBe('just now');
    expect(formatAge(now - 42_000, now)).toBe('42 s ago');
    expect(formatAge(new Date(now - 300_000).toISOString(), now)).toBe('5 min ago');
    expect(formatAge(now - 3 * 3_600_000, now)).toBe('3 h ago');
  });

  it('pretty-prints JSON values only', () => {
    expect(prettyValue('{"a":1}')).toEqual({ text: '{\n  "a": 1\n}', json: true });
    expect(prettyValue('{not json')).toEqual({ text: '{not json', json: false });
    expect(prettyValue('plain')).toEqual({ text: 'plain', json: false });
    expect(preview('a\n  b', 10)).toBe('a b');
    expect(preview('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('parses headers from lines or JSON', () => {
    expect(parseHeaders('')).toEqual({ headers: {} });
    expect(parseHeaders('a: 1\n\nb: x:y')).toEqual({ headers: { a: '1', b: 'x:y' } });
    expect(parseHeaders('{"a":"1"}')).toEqual({ headers: { a: '1' } });
    expect(parseHeaders('novalue')).toEqual({ error: 'line 1: expected "name: value"' });
    expect(parseHeaders('{"a":1}')).toEqual({ error: 'header a: value must be a string' });
    expect(parseHeaders('[1]')).toEqual({ error: 'line 1: expected "name: value"' });
    expect(parseHeaders('{oops')).toEqual({ error: 'headers are not valid JSON' });
  });
});
