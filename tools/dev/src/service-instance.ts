import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  appCommand,
  type InfraClientEnv,
  instanceId,
  instancePort,
  type OnProgress,
  type ServiceDefinition,
  serviceEnv,
  sleep,
  stopChild,
  type Watchdog,
} from '@kafka-poc/local-stack';

export interface ServiceInstance {
  readonly id: string;
  readonly port: number;
  readonly service: ServiceDefinition;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** The most recent output lines (both streams), for crash reports. */
  lastLines(count?: number): string[];
  /** Resolves 'ready' on the first 200 from /health/ready, 'exited' if the process dies first. */
  waitReady(onProgress: OnProgress): Promise<'ready' | 'exited'>;
  /** No more restarts; SIGTERM, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface RunInstanceOptions {
  service: ServiceDefinition;
  index: number;
  repoRoot: string;
  kafkaBrokers: string;
  /** The database (administrator's URL): the instance connects with its own role's credentials. */
  databaseUrl: string;
  /** The launcher's environment, inherited by the instance. */
  env: NodeJS.ProcessEnv;
  /** Client variables of a secured infra. */
  clientEnv?: InfraClientEnv;
  watchdog: Watchdog;
  onProgress: OnProgress;
  /** Port override for this instance (npm run service -- --port). */
  port?: number;
  color?: number;
}

const KEEP_LINES = 50;
const MAX_BACKOFF_MS = 30_000;
/** A process that ran this long counts as healthy again: its next crash restarts quickly. */
const STABLE_AFTER_MS = 60_000;

/** Runs one service instance as a child process, prefixes its output, and restarts it with backoff when it crashes. */
export function runInstance(options: RunInstanceOptions): ServiceInstance {
  const { service, onProgress } = options;
  const id = instanceId(service, options.index);
  const port = options.port ?? instancePort(service, options.index, options.env);
  const lines: string[] = [];
  const prefix = process.stdout.isTTY ? `\x1b[${options.color ?? 36}m[${id}]\x1b[0m ` : `[${id}] `;
  let child: ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  let failuresInARow = 0;
  let exits = 0;
  const exitWaiters: (() => void)[] = [];

  const launch = (): void => {
    const startedAt = Date.now();
    const command = appCommand(service, options.repoRoot);
    const proc = spawn(process.execPath, command.args, {
      cwd: command.cwd,
      env: serviceEnv({
        service,
        env: options.env,
        port,
        instanceId: id,
        kafkaBrokers: options.kafkaBrokers,
        databaseUrl: options.databaseUrl,
        ...(options.clientEnv ? { clientEnv: options.clientEnv } : {}),
      }),
      // Detached: Ctrl-C reaches only the launcher, which stops services before infra.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    // Stage 0: if we die, services are stopped before the Kafka and Postgres they are connected to.
    // Short grace: with our end of their stdout pipe gone, a service may block on logging its shutdown.
    if (proc.pid) options.watchdog.watch(proc.pid, { signal: 'SIGTERM', stage: 0, graceMs: 5000 });
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > KEEP_LINES) lines.shift();
        process.stdout.write(`${prefix}${line}\n`);
      });
    }
    proc.once('exit', (code, signal) => {
      if (proc.pid) options.watchdog.unwatch(proc.pid);
      child = undefined;
      exits += 1;
      for (const wake of exitWaiters.splice(0)) wake();
      if (stopped) return;
      failuresInARow = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : failuresInARow + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failuresInARow - 1));
      restarts += 1;
      onProgress(`${id} exited (${signal ?? `code ${code}`}); restart #${restarts} in ${delay / 1000} s`);
      setTimeout(() => {
        if (!stopped) launch();
      }, delay);
    });
  };
  launch();

  return {
    id,
    port,
    service,
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    lastLines: (count = 20) => lines.slice(-count),
    waitReady: async (progress) => {
      const exitsAtStart = exits;
      const url = `http://127.0.0.1:${port}/health/ready`;
      let nextNote = Date.now() + 5000;
      let last = 'no answer yet';
      const exited = new Promise<void>((wake) => exitWaiters.push(wake));
      while (exits === exitsAtStart && !stopped) {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
          if (response.status === 200) return 'ready';
          last = `HTTP ${response.status}`;
        } catch (error) {
          last = (error as Error).message;
        }
        if (Date.now() > nextNote) {
          progress(`waiting for ${id} on ${url} (${last})`);
          nextNote = Date.now() + 5000;
        }
        await Promise.race([sleep(500), exited]);
      }
      return 'exited';
    },
    stop: async (graceMs = 15_000) => {
      stopped = true;
      const proc = child;
      if (!proc) return;
      const how = await stopChild(proc, { signal: 'SIGTERM', graceMs });
      if (how === 'killed') onProgress(`${id} did not stop within ${graceMs / 1000} s; SIGKILLed`);
    },
  };
}
