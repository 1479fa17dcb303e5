import { DbError, sqlState } from './errors.ts';

/** Who connected where: the role and database of the URL, the schema the service works in. */
export interface ConnectionTarget {
  role: string | undefined;
  database: string | undefined;
  schema?: string | undefined;
}

/** What a service run against a database that `npm run db:setup` never prepared is told to do. */
export const DB_SETUP_HINT =
  "run `npm run db:setup` with the administrator's DATABASE_URL (deploy/postgres/setup.sql in a deployment), then start it again";

/**
 * The SQLSTATEs that say the database was not set up for this service — its role, database, schema
 * or privileges are missing — rather than that the server is unreachable (which is waited out):
 * 28000 invalid_authorization_specification (role does not exist), 28P01 invalid_password (what a
 * password login answers for a role that does not exist, too), 3D000 invalid_catalog_name,
 * 3F000 invalid_schema_name, 42501 insufficient_privilege.
 */
const NOT_SET_UP_SQLSTATES = new Set(['28000', '28P01', '3D000', '3F000', '42501']);

/**
 * One line saying what is missing (naming the role, database or schema) and that the database setup
 * must run, when `error` says the database was not set up for this service; undefined otherwise.
 */
export function notSetUpReason(error: unknown, target: ConnectionTarget): string | undefined {
  if (isDatabaseNotSetUp(error)) return error.message;
  const state = sqlState(error);
  if (!state || !NOT_SET_UP_SQLSTATES.has(state)) return undefined;
  const role = target.role ? `role "${target.role}"` : "DATABASE_URL's role";
  const database = target.database ? `database "${target.database}"` : "DATABASE_URL's database";
  const said = oneLine(error instanceof Error ? error.message : String(error));
  const what = (() => {
    switch (state) {
      case '28000':
        return /does not exist/.test(said)
          ? `${role} does not exist`
          : `${role} may not log in to ${database} (${said})`;
      case '28P01':
        return `${role} cannot log in: password authentication failed (the role does not exist, or its password is not DATABASE_URL's)`;
      case '3D000':
        return `${database} does not exist (create it, as the administrator, before the setup)`;
      case '3F000':
        return `schema ${target.schema ? `"${target.schema}"` : 'of the service'} does not exist in ${database} (${said})`;
      default:
        return `${role} lacks a privilege in ${database} (${said})`;
    }
  })();
  return `database not set up: ${what} [${state}]; ${DB_SETUP_HINT}`;
}

/** The error as a DbError DB_NOT_SET_UP (its message the one line) when it says so, else unchanged. */
export function asNotSetUp(error: unknown, target: ConnectionTarget): unknown {
  if (isDatabaseNotSetUp(error)) return error;
  const reason = notSetUpReason(error, target);
  return reason === undefined
    ? error
    : new DbError('DB_NOT_SET_UP', reason, { cause: error, retryable: false });
}

/**
 * True for the errors a service gets when its database was not set up: DB_NOT_SET_UP, and
 * DB_SCHEMA_MISSING from the migrations (its schema is missing or not its own). Their message is
 * one line naming what is missing and `npm run db:setup`.
 */
export function isDatabaseNotSetUp(error: unknown): error is DbError {
  return error instanceof DbError && (error.code === 'DB_NOT_SET_UP' || error.code === 'DB_SCHEMA_MISSING');
}

/** Role, database and search_path schema of a connection string (undefined parts when absent). */
export function connectionTarget(connectionString: string | undefined, schema?: string): ConnectionTarget {
  try {
    const url = new URL(connectionString ?? '');
    return {
      role: decodeURIComponent(url.username) || undefined,
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
      schema,
    };
  } catch {
    return { role: undefined, database: undefined, schema };
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
