import { localDatabaseUrl, localRolePassword } from '@kafka-poc/config';
import { ALL_SERVICE_DATA, CONSOLE_DB_ROLE } from '@kafka-poc/contracts';
import { type DatabaseLayout, setUpDatabase, setUpRoles } from '@kafka-poc/db';
import pg from 'pg';

/** Every service owns its schemas; the console only reads the published views. */
export const LOCAL_DATABASE_LAYOUT: DatabaseLayout = { owners: ALL_SERVICE_DATA, readers: [CONSOLE_DB_ROLE] };

/** The login roles of the layout, each with its local password (its name). */
export function localRoles(): Map<string, string> {
  const roles = [...LOCAL_DATABASE_LAYOUT.owners.map((o) => o.role), ...LOCAL_DATABASE_LAYOUT.readers];
  return new Map(roles.map((role) => [role, localRolePassword(role)]));
}

/**
 * The database setup on a local server (`npm start`, the test harnesses): the roles, cluster-wide,
 * with `adminUrl` (any database of the server). Once per server, before the databases.
 */
export async function setUpLocalRoles(adminUrl: string): Promise<void> {
  await withClient(adminUrl, (client) => setUpRoles(client, localRoles()));
}

/** The per-database part, with an administrator's URL of that database. Idempotent. */
export async function setUpLocalDatabase(databaseAdminUrl: string): Promise<void> {
  await withClient(databaseAdminUrl, (client) => setUpDatabase(client, LOCAL_DATABASE_LAYOUT));
}

/** The URL `role` connects with: `databaseUrl` (any credentials) with the role's local ones. */
export function roleDatabaseUrl(databaseUrl: string, role: string): string {
  return localDatabaseUrl(role, databaseUrl);
}

async function withClient(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A server going away mid-setup fails the query in flight; no unhandled 'error' event.
  client.on('error', () => {});
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
