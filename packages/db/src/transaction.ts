import { toDbError } from './errors.ts';
import { isClientQueryTimeout, type Pool, type PoolClient } from './pool.ts';

/**
 * Runs `work` in one transaction on a pooled client: COMMIT when it resolves, ROLLBACK when it throws.
 * Errors come out as DbError (with retryable set) unless `work` threw something of its own.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toDbError(error, 'connect');
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // After a client-side timeout the connection's state is unknown (a black-holed link answers
    // nothing, not even ROLLBACK): destroy it rather than wait for another timeout.
    broken = isClientQueryTimeout(error) || (await rollbackQuietly(client));
    throw isPgFailure(error) ? toDbError(error, 'transaction') : error;
  } finally {
    // A client whose connection failed must not go back to the pool.
    client.release(broken ? true : undefined);
  }
}

async function rollbackQuietly(client: PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return false;
  } catch {
    return true;
  }
}

function isPgFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || error.message.includes('Connection terminated');
}
