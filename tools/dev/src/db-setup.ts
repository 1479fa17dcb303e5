/**
 * `npm run db:setup [-- --sql]`: the database setup (docs/architecture.md, "Data ownership") for a
 * Postgres we did not start — `npm start` and the test harnesses do it on their own servers.
 */
import { parseArgs } from 'node:util';
import { databaseSql, rolesSql, setUpDatabase, setUpRoles } from '@kafka-poc/db';
import {
  formatCliError,
  LOCAL_DATABASE_LAYOUT,
  LocalStackError,
  localRoles,
  redact,
} from '@kafka-poc/local-stack';
import pg from 'pg';

const HELP = `Usage: npm run db:setup [-- --sql]

As the administrator of DATABASE_URL's database: creates a login role per service (and the
console's), a schema per service for its tables and one for the views it publishes, both owned by
its role, and moves tables of the older layout (all in "public") into their owner's schema with
their data. Idempotent; run it before the services start, and again after an upgrade.

Options:
  --sql        print the same setup as a psql script instead of running it:
                 npm run -s db:setup -- --sql > setup.sql
                 psql "$ADMIN_URL" -v order_service_password=… -f setup.sql
               (one -v <role>_password=… per role: ${[...localRoles().keys()].join(', ')})
  -h, --help   this text

Environment:
  DATABASE_URL              the administrator's URL of the database (default: the local one)
  <ROLE>_DB_PASSWORD        each role's password, e.g. ORDER_SERVICE_DB_PASSWORD; unset: the
                            role's name (local development only)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sql: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const roles = [...localRoles().keys()];
  if (values.sql) {
    process.stdout.write(
      `-- The database setup (npm run db:setup -- --sql). Run as the administrator, with\n` +
        `-- psql ${roles.map((r) => `-v ${r}_password=…`).join(' ')} -f <this file>\n` +
        '\\set ON_ERROR_STOP on\n' +
        `${rolesSql(roles, (role) => `:'${role}_password'`)}\n${databaseSql(LOCAL_DATABASE_LAYOUT)}\n`,
    );
    return;
  }
  const url = process.env.DATABASE_URL ?? 'postgres://app:app@127.0.0.1:5432/appdb';
  const passwords = new Map(roles.map((role) => [role, process.env[passwordVariable(role)] ?? role]));
  const defaulted = roles.filter((role) => process.env[passwordVariable(role)] === undefined);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // What it moved out of "public" (an upgrade) is worth seeing; "already exists, skipping" is not.
  client.on('notice', (notice) => {
    if (notice.message?.startsWith('moved ')) process.stderr.write(`db:setup: ${notice.message}\n`);
  });
  try {
    await client.connect();
  } catch (cause) {
    throw new LocalStackError('POSTGRES_NOT_READY', `${redact(url)} does not answer.`, {
      retryable: true,
      cause,
      hint: 'set DATABASE_URL to the administrator URL of the database',
    });
  }
  try {
    await setUpRoles(client, passwords);
    await setUpDatabase(client, LOCAL_DATABASE_LAYOUT);
  } finally {
    await client.end();
  }
  process.stderr.write(
    `db:setup: roles ${roles.join(', ')} and their schemas are set up in ${redact(url)}\n` +
      (defaulted.length > 0
        ? `db:setup: ${defaulted.map(passwordVariable).join(', ')} unset: those roles' password is their name (local development only)\n`
        : ''),
  );
}

function passwordVariable(role: string): string {
  return `${role.toUpperCase()}_DB_PASSWORD`;
}

main().catch((error: unknown) => {
  process.stderr.write(`db:setup: ${formatCliError(error)}\n`);
  process.exit(1);
});
