import { formatApiKeyRecord, generateApiKey, SCOPES, type Scope } from '@kafka-poc/service-kit';

/**
 * `keys create --name <n> --scopes orders:write,read`: prints a new API key once, and the entry to
 * add to the services' API_KEYS (or API_KEYS_FILE). Only the entry — a hash — is ever stored.
 */
export function createKeyCommand(name: string | undefined, scopeText: string | undefined): number {
  const scopes = (scopeText ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (!name || !/^[\w.-]{1,64}$/.test(name) || scopes.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `keys create: --name <letters, digits, . _ -> and --scopes <${SCOPES.join('|')}>[,…] are required` +
        (unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : '') +
        '\n',
    );
    return 2;
  }
  const { key, record } = generateApiKey(name, scopes as Scope[]);
  process.stdout.write(
    `API key for "${name}" (shown once, store it safely):\n\n  ${key}\n\n` +
      `Add this entry to API_KEYS (comma separated) or API_KEYS_FILE (one per line) of every service:\n\n` +
      `  ${formatApiKeyRecord(record)}\n\n` +
      `Use it as "Authorization: Bearer <key>" or "x-api-key: <key>".\n`,
  );
  return 0;
}
