import type { Logger } from 'pino';

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
 * an uncaught error is logged and shuts the service down with a non-zero exit code.
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
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    onSignal('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    onSignal('unhandledRejection', 1);
  });
}
