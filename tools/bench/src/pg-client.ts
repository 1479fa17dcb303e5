import pg from 'pg';

/**
 * A pg.Client that never crashes the bench: a connection dropped by the server (Postgres stopping
 * under us on Ctrl-C, a restart) fails the query in flight instead of emitting an unhandled 'error'.
 */
export function pgClient(connectionString: string, applicationName = 'bench'): pg.Client {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  client.on('error', () => {});
  return client;
}
