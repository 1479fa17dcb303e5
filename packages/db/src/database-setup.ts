import type pg from 'pg';
import { DbError } from './errors.ts';
import { quoteIdentifier as id, quoteLiteral } from './sql-names.ts';

/**
 * The database setup: what an administrator does once per cluster and database, before any service
 * starts, so that each service owns its data. Services never run it (they connect with their own
 * role, which cannot create roles or schemas); `npm start`, the test harnesses and the deployment's
 * setup job do. Every statement is idempotent.
 *
 * - Cluster: a login role per service (and per reader, e.g. the console).
 * - Database: per service a schema for its tables and a schema for the views it publishes, both
 *   owned by its role. No other role has a privilege in the first; everyone may read the second.
 *   Tables of the older layout (everything in `public`) are moved into their owner's schema with
 *   their data, and drizzle's bookkeeping with them, so the service's next start applies only what
 *   is new. The administrator's own search_path gets the service schemas, so `psql` as the admin
 *   still answers `SELECT * FROM orders;`.
 */

export interface SchemaOwner {
  role: string;
  /** Private tables. */
  schema: string;
  /** Published read-only views (USAGE for every role). */
  apiSchema: string;
  /** The owner's tables: adopted from `public` where an older layout left them. */
  tables: readonly string[];
}

export interface DatabaseLayout {
  owners: readonly SchemaOwner[];
  /** Login roles that may connect and read only what is granted to every role (the published views). */
  readers: readonly string[];
  /** Set the administrator's search_path to `"$user", public, <service schemas>` (default true). */
  adminSearchPath?: boolean;
}

/** Where drizzle's bookkeeping of a service lived before schemas per service. */
const LEGACY_MIGRATIONS = { schema: 'drizzle', table: (schema: string) => `__migrations_${schema}` };

/**
 * Cluster-wide part: each role created when missing, LOGIN with its password. `password` gives the
 * SQL expression of a role's password (a quoted literal, or a psql variable such as
 * `:'order_service_password'` in a script). Not safe to run concurrently with itself (Postgres
 * refuses two ALTER ROLE of one role at once): run it once per cluster, before the databases.
 */
export function rolesSql(roles: readonly string[], password: (role: string) => string): string {
  return roles
    .map((role) =>
      [
        `DO $$ BEGIN`,
        `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(role)}) THEN CREATE ROLE ${id(role)}; END IF;`,
        `EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- created meanwhile by another setup`,
        `END $$;`,
        `ALTER ROLE ${id(role)} WITH LOGIN PASSWORD ${password(role)};`,
      ].join('\n'),
    )
    .join('\n');
}

/** Per-database part, for the database it runs in. One transaction when sent as one query. */
export function databaseSql(layout: DatabaseLayout): string {
  const statements: string[] = [];
  for (const owner of layout.owners) {
    const role = id(owner.role);
    statements.push(
      `CREATE SCHEMA IF NOT EXISTS ${id(owner.schema)} AUTHORIZATION ${role};`,
      `ALTER SCHEMA ${id(owner.schema)} OWNER TO ${role};`,
      `CREATE SCHEMA IF NOT EXISTS ${id(owner.apiSchema)} AUTHORIZATION ${role};`,
      `ALTER SCHEMA ${id(owner.apiSchema)} OWNER TO ${role};`,
      `GRANT USAGE ON SCHEMA ${id(owner.apiSchema)} TO PUBLIC;`,
      inDatabase(`GRANT CONNECT ON DATABASE %I TO ${role}`),
      inDatabase(`ALTER ROLE ${role} IN DATABASE %I SET search_path TO ${id(owner.schema)}`),
      adoptLegacyTables(owner),
    );
  }
  for (const reader of layout.readers)
    statements.push(inDatabase(`GRANT CONNECT ON DATABASE %I TO ${id(reader)}`));
  statements.push(dropEmptyLegacySchema());
  if (layout.adminSearchPath ?? true) {
    const schemas = layout.owners.map((o) => id(o.schema)).join(', ');
    statements.push(
      inDatabase(`ALTER ROLE CURRENT_USER IN DATABASE %I SET search_path TO "$user", public, ${schemas}`),
    );
  }
  return statements.join('\n');
}

/** A statement naming the current database (DDL takes no parameters): `%I` is its name. */
function inDatabase(statement: string): string {
  return `DO $$ BEGIN EXECUTE format(${quoteLiteral(statement)}, current_database()); END $$;`;
}

/**
 * Moves the owner's tables from `public` into its schema (data, indexes, constraints, identity
 * sequences and triggers go along), with the trigger functions they use and drizzle's bookkeeping,
 * and gives them to the owner. A table already in the schema is left alone.
 */
function adoptLegacyTables(owner: SchemaOwner): string {
  const schema = id(owner.schema);
  const role = id(owner.role);
  const tables = `ARRAY[${owner.tables.map(quoteLiteral).join(', ')}]::text[]`;
  const legacyBookkeeping = `${id(LEGACY_MIGRATIONS.schema)}.${id(LEGACY_MIGRATIONS.table(owner.schema))}`;
  return `DO $$
DECLARE
  t text;
  moved oid[] := '{}';
  f regprocedure;
BEGIN
  FOREACH t IN ARRAY ${tables} LOOP
    IF to_regclass(format('public.%I', t)) IS NOT NULL AND to_regclass(format('${owner.schema}.%I', t)) IS NULL THEN
      EXECUTE format('ALTER TABLE public.%I SET SCHEMA ${schema}', t);
      EXECUTE format('ALTER TABLE ${schema}.%I OWNER TO ${role}', t);
      moved := moved || to_regclass(format('${owner.schema}.%I', t))::oid;
      RAISE NOTICE 'moved table public.% into ${owner.schema}', t;
    END IF;
  END LOOP;
  FOR f IN SELECT DISTINCT p.oid::regprocedure FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
            WHERE tg.tgrelid = ANY (moved) AND NOT tg.tgisinternal AND p.pronamespace = 'public'::regnamespace LOOP
    EXECUTE format('ALTER FUNCTION %s SET SCHEMA ${schema}', f);
    EXECUTE format('ALTER FUNCTION %s OWNER TO ${role}', f);
  END LOOP;
  IF to_regclass(${quoteLiteral(legacyBookkeeping)}) IS NOT NULL
     AND to_regclass(${quoteLiteral(`${owner.schema}.__drizzle_migrations`)}) IS NULL THEN
    ALTER TABLE ${legacyBookkeeping} SET SCHEMA ${schema};
    ALTER TABLE ${schema}.${id(LEGACY_MIGRATIONS.table(owner.schema))} RENAME TO "__drizzle_migrations";
    ALTER TABLE ${schema}."__drizzle_migrations" OWNER TO ${role};
  END IF;
END $$;`;
}

function dropEmptyLegacySchema(): string {
  const schema = LEGACY_MIGRATIONS.schema;
  return `DO $$ BEGIN
  IF to_regnamespace(${quoteLiteral(schema)}) IS NOT NULL
     AND NOT EXISTS (SELECT FROM pg_class WHERE relnamespace = to_regnamespace(${quoteLiteral(schema)})) THEN
    DROP SCHEMA ${id(schema)};
  END IF;
END $$;`;
}

/** Runs the cluster-wide part with an administrator's connection. */
export async function setUpRoles(
  admin: pg.ClientBase,
  passwords: ReadonlyMap<string, string>,
): Promise<void> {
  await run(
    admin,
    'roles',
    rolesSql([...passwords.keys()], (role) => quoteLiteral(passwords.get(role) ?? '')),
  );
}

/** Runs the per-database part with an administrator's connection to that database. */
export async function setUpDatabase(admin: pg.ClientBase, layout: DatabaseLayout): Promise<void> {
  await run(admin, 'schemas', databaseSql(layout));
}

async function run(admin: pg.ClientBase, what: string, sql: string): Promise<void> {
  try {
    await admin.query(sql);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DbError('DB_SETUP_FAILED', `database setup (${what}) failed: ${reason}`, {
      cause: error,
      retryable: false,
    });
  }
}
