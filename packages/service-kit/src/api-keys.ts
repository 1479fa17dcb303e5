import { createHash, randomBytes } from 'node:crypto';

/** What a key may do: place orders, read, or administer (stock, replay, redrive, console writes). */
export const SCOPES = ['orders:write', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRecord {
  name: string;
  /** sha256 of the key, hex. Keys are 192-bit random, so a fast hash is enough; the key itself is never stored. */
  hash: string;
  scopes: Scope[];
}

const PREFIX = 'kpoc_';

/** A new random key and the record to store for it (the key is shown once, then only its hash exists). */
export function generateApiKey(name: string, scopes: Scope[]): { key: string; record: ApiKeyRecord } {
  const key = `${PREFIX}${randomBytes(24).toString('base64url')}`;
  return { key, record: { name, hash: hashApiKey(key), scopes } };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses the API_KEYS format: `name:scope+scope:sha256hex` entries separated by commas or newlines
 * (the same text API_KEYS_FILE holds). Throws with the offending entry on anything malformed.
 */
export function parseApiKeys(text: string): ApiKeyRecord[] {
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry && !entry.startsWith('#'))
    .map((entry) => {
      // Scopes contain ':' themselves (orders:write): name is before the first ':', hash after the last.
      const first = entry.indexOf(':');
      const last = entry.lastIndexOf(':');
      const name = entry.slice(0, Math.max(0, first));
      const scopeText = first < last ? entry.slice(first + 1, last) : '';
      const hash = entry.slice(last + 1);
      const scopes = (scopeText ?? '').split('+').filter(Boolean);
      if (!name || !hash || !/^[0-9a-f]{64}$/.test(hash) || scopes.length === 0) {
        throw new Error(
          `invalid API key entry "${entry.slice(0, 40)}" (expected name:scope+scope:sha256hex)`,
        );
      }
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length > 0) throw new Error(`API key "${name}": unknown scope(s) ${unknown.join(', ')}`);
      return { name, hash, scopes: scopes as Scope[] };
    });
}

export function formatApiKeyRecord(record: ApiKeyRecord): string {
  return `${record.name}:${record.scopes.join('+')}:${record.hash}`;
}

/** Looks a presented key up by its hash; admin implies every scope. */
export class ApiKeyStore {
  #byHash: Map<string, ApiKeyRecord>;

  constructor(records: ApiKeyRecord[]) {
    this.#byHash = new Map(records.map((r) => [r.hash, r]));
  }

  get size(): number {
    return this.#byHash.size;
  }

  find(key: string): ApiKeyRecord | undefined {
    if (!key.startsWith(PREFIX) || key.length > 200) return undefined;
    return this.#byHash.get(hashApiKey(key));
  }
}

export function allows(record: ApiKeyRecord, scope: Scope): boolean {
  return record.scopes.includes('admin') || record.scopes.includes(scope);
}
