import { describe, expect, it } from 'vitest';
import { isUndefinedTable, readOnlyUrl } from './read-only-db.ts';

describe('readOnlyUrl', () => {
  it('adds the read-only session option and keeps the rest', () => {
    const url = new URL(readOnlyUrl('postgres://app:s%40cret@db:5432/appdb?sslmode=require'));
    expect(url.searchParams.get('options')).toBe('-c default_transaction_read_only=on');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.password).toBe('s%40cret');
    const both = new URL(readOnlyUrl('postgres://db/x?options=-c%20search_path%3Dapp'));
    expect(both.searchParams.get('options')).toBe('-c search_path=app -c default_transaction_read_only=on');
  });

  it('recognizes a missing table', () => {
    expect(isUndefinedTable({ code: '42P01' })).toBe(true);
    expect(isUndefinedTable({ code: '3F000' })).toBe(true);
    expect(isUndefinedTable(new Error('x'))).toBe(false);
  });
});
