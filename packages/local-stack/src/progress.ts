/** Receives one human-readable progress line at a time (start-up steps, ports, dirs, log files). */
export type OnProgress = (message: string) => void;

/** Default progress sink for CLIs: timestamped lines on stderr so stdout stays clean for data. */
export function printProgress(prefix: string): OnProgress {
  return (message) => {
    const time = new Date().toISOString().slice(11, 23);
    process.stderr.write(`${time} [${prefix}] ${message}\n`);
  };
}

export const silentProgress: OnProgress = () => {};

/** Milliseconds since `startedAt` as "1.23 s". */
export function elapsed(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(2)} s`;
}
