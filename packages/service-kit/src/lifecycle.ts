import { isDatabaseNotSetUp } from '@kafka-poc/db';
import type { Logger } from 'pino';
import { StartRefused } from './runtime-timings.ts';

/**
 * Exit code of a service whose database was not set up, or whose settings cannot hold on the cluster
 * it found (sysexits' EX_CONFIG).
 */
export const EXIT_NOT_SET_UP = 78;

export interface Stoppable {
  name: string;
  stop: () => Promise<void>;
}

/**
 * Stops parts in the given order (consumers, relay, producer, HTTP, DB pool), each with a time
 * budget, logging what takes long; a part that fails to stop does not keep the others running.
 */
export async function stopInOrder(parts: Stoppable[], logger: Logger, budgetMs: number): Promise<void> {
  for (const part of parts) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budgetMs);
    });
    try {
      const outcome = await Promise.race([part.stop().then(() => 'stopped' as const), timeout]);
      if (outcome === 'timeout') logger.warn({ part: part.name, budgetMs }, 'stop timed out; moving on');
      else logger.debug({ part: part.name, ms: Date.now() - started }, 'stopped');
    } catch (error) {
      logger.error({ err: error, part: part.name }, 'stop failed');
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Runs a service: SIGTERM/SIGINT trigger one graceful shutdown (a second signal forces exit);
 * an uncaught error is logged and shuts the service down with a non-zero exit code. A database not
 * set up for the service (isDatabaseNotSetUp), or settings that cannot hold on the cluster
 * (StartRefused), print one line instead and exit with EXIT_NOT_SET_UP.
 */
export function handleSignals(shutdown: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: string, code: number) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(code),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM', 0));
  process.on('SIGINT', () => onSignal('SIGINT', 0));
  // A database that `npm run db:setup` never prepared is not a crash: one line says what is missing
  // and what to run (no stack), and the service exits at once with EXIT_NOT_SET_UP.
  // Settings that cannot hold on the cluster found at start (StartRefused) likewise: one line naming
  // the values and the rule.
  const notSetUp = (error: unknown): boolean => {
    const refused = error instanceof StartRefused;
    if (!refused && !isDatabaseNotSetUp(error)) return false;
    const service = (logger.bindings() as { service?: unknown }).service;
    const prefix = typeof service === 'string' ? `${service}${refused ? ' refuses to start' : ''}: ` : '';
    process.stderr.write(`${prefix}${(error as Error).message}\n`);
    process.exit(EXIT_NOT_SET_UP);
  };
  process.on('uncaughtException', (error) => {
    if (notSetUp(error)) return;
    logger.fatal({ err: error }, 'uncaught exception');
    onSignal('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    if (notSetUp(error)) return;
    logger.fatal({ err: error }, 'unhandled rejection');
    onSignal('unhandledRejection', 1);
  });
}
