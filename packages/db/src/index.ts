export { combineWrites, executeWrites } from './combined-writes.ts';
export { createDatabase, type Database, type Transaction } from './database.ts';
export {
  type DatabaseLayout,
  databaseSql,
  rolesSql,
  type SchemaOwner,
  setUpDatabase,
  setUpRoles,
} from './database-setup.ts';
export {
  DbError,
  type DbErrorCode,
  isDataRejection,
  isRetryableDbError,
  isValueRejection,
  sqlState,
  toDbError,
} from './errors.ts';
export { MIGRATIONS_TABLE, type MigrationOptions, runMigrations } from './migrate.ts';
export {
  createPool,
  type Pool,
  type PoolClient,
  type PoolConfig,
  type PoolSslConfig,
  pgConnectionConfig,
  pgSslOptions,
  poolStats,
} from './pool.ts';
export {
  asNotSetUp,
  type ConnectionTarget,
  connectionTarget,
  DB_SETUP_HINT,
  isDatabaseNotSetUp,
  notSetUpReason,
} from './setup-problem.ts';
export { quoteIdentifier, quoteLiteral } from './sql-names.ts';
export { withTransaction } from './transaction.ts';
export { waitForDatabase } from './wait-for-database.ts';
