/**
 * Runs `cleanup` once on SIGINT/SIGTERM/SIGHUP, then exits. A second signal exits at once
 * (the watchdog then stops whatever is left, so nothing is orphaned).
 */
export function onShutdownSignal(
  cleanup: (signal: NodeJS.Signals) => Promise<void>,
  log: (m: string) => void,
): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: exiting now; the watchdog stops what is left`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping (press Ctrl-C again to force)`);
    cleanup(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
}
