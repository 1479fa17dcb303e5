import { describe, expect, it } from 'vitest';
import { ApiKeyStore, allows, formatApiKeyRecord, generateApiKey, parseApiKeys } from './api-keys.ts';

describe('API keys', () => {
  it('stores only the hash and finds the key by it', () => {
    const { key, record } = generateApiKey('bench', ['orders:write', 'read']);
    expect(formatApiKeyRecord(record)).not.toContain(key);
    const store = new ApiKeyStore(parseApiKeys(formatApiKeyRecord(record)));
    expect(store.find(key)?.name).toBe('bench');
    expect(store.find(`${key}x`)).toBeUndefined();
    expect(store.find('not-a-key')).toBeUndefined();
  });

  it('checks scopes; admin implies all', () => {
    const { record } = generateApiKey('ops', ['admin']);
    expect(allows(record, 'orders:write')).toBe(true);
    const reader = generateApiKey('r', ['read']).record;
    expect(allows(reader, 'read')).toBe(true);
    expect(allows(reader, 'orders:write')).toBe(false);
  });

  it('refuses malformed entries and unknown scopes', () => {
    expect(() => parseApiKeys('x:read:abc')).toThrow(/expected name:scope/);
    expect(() => parseApiKeys(`x:root:${'a'.repeat(64)}`)).toThrow(/unknown scope/);
    expect(parseApiKeys(`# comment\n a:read:${'b'.repeat(64)} ,`)).toHaveLength(1);
  });
});
