export { createDatabase, type Database, type Transaction } from './database.ts';
export {
  DbError,
  type DbErrorCode,
  isDataRejection,
  isRetryableDbError,
  isValueRejection,
  sqlState,
  toDbError,
} from './errors.ts';
export { type MigrationOptions, runMigrations } from './migrate.ts';
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
export { withTransaction } from './transaction.ts';
export { waitForDatabase } from './wait-for-database.ts';
