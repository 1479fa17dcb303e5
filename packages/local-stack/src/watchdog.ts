/**
 * No orphans: a small detached process that outlives its launcher. When the launcher dies (even by SIGKILL,
 * when no exit handler can run) it stops the processes the launcher registered: `signal`, then SIGKILL.
 *
 * As a script: `node watchdog.ts <parentPid> [pid[:SIGNAL[:stage]]]…`; more pids arrive over the IPC channel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAlive, sleep } from './processes.ts';

interface Watched {
  signal: NodeJS.Signals;
  /** Lower stops first: services (0) before the Kafka and Postgres they depend on (1). */
  stage: number;
  /** Overrides the watchdog's grace period for this process. */
  graceMs?: number;
}

export interface WatchOptions {
  /** Default SIGTERM. Postgres wants SIGINT (fast shutdown). */
  signal?: NodeJS.Signals;
  /** Default 1. Stages stop in ascending order, each waited for, so apps go before the infra they use. */
  stage?: number;
  /** Time between the signal and SIGKILL; default: the watchdog's graceMs. */
  graceMs?: number;
}

type WatchMessage = { watch: { pid: number } & Watched } | { unwatch: number };

export interface Watchdog {
  readonly pid: number | undefined;
  /** Stop `pid` (its signal, then SIGKILL) if this process dies. */
  watch(pid: number, options?: WatchOptions): void;
  /** The pid was stopped on purpose: forget it (so a recycled pid is never killed). */
  unwatch(pid: number): void;
  /** Ends the watchdog without touching anything it watched. */
  stop(): void;
}

export interface WatchdogOptions {
  /** Defaults to this process. */
  parentPid?: number;
  /** Append the watchdog's own messages here (for debugging); default: discard. */
  logFile?: string;
  /** How long watched processes get between their signal and SIGKILL. */
  graceMs?: number;
}

const SCRIPT = fileURLToPath(import.meta.url);

/** Spawns a watchdog for this process. Cheap (one small Node process); share one per launcher. */
export function startWatchdog(options: WatchdogOptions = {}): Watchdog {
  const output = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(
    process.execPath,
    [SCRIPT, String(options.parentPid ?? process.pid), `--grace-ms=${options.graceMs ?? 15_000}`],
    // Detached: its own process group, so a Ctrl-C aimed at the launcher does not reach it.
    { detached: true, stdio: ['ignore', output, output, 'ipc'] },
  );
  child.unref();
  child.channel?.unref();
  // Messages after the watchdog died (it never should) are not worth crashing the launcher for.
  child.on('error', () => {});
  const send = (message: WatchMessage): void => {
    if (child.connected) child.send(message, () => {});
  };
  return {
    pid: child.pid,
    watch: (pid, o = {}) =>
      send({ watch: { pid, signal: o.signal ?? 'SIGTERM', stage: o.stage ?? 1, graceMs: o.graceMs } }),
    unwatch: (pid) => send({ unwatch: pid }),
    stop: () => {
      if (child.connected) child.disconnect();
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

/**
 * The watchdog a server uses: the shared one if given (never stopped here), else its own, spawned on first
 * use and again after release(), so a server stopped and started again stays covered.
 */
export function watchdogHandle(shared: Watchdog | undefined): Pick<Watchdog, 'watch' | 'unwatch'> & {
  release(): void;
} {
  if (shared) return { watch: shared.watch, unwatch: shared.unwatch, release: () => {} };
  let own: Watchdog | undefined;
  return {
    watch: (pid, options) => {
      own ??= startWatchdog();
      own.watch(pid, options);
    },
    unwatch: (pid) => own?.unwatch(pid),
    release: () => {
      own?.stop();
      own = undefined;
    },
  };
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} watchdog[${process.pid}] ${message}\n`);
}

async function reap(watched: Map<number, Watched>, graceMs: number): Promise<void> {
  const stages = [...new Set([...watched.values()].map((w) => w.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const alive = [...watched].filter(([pid, w]) => w.stage === stage && isAlive(pid));
    for (const [pid, { signal }] of alive) {
      log(`launcher gone: ${signal} → ${pid} (stage ${stage})`);
      try {
        process.kill(pid, signal);
      } catch {}
    }
    const startedAt = Date.now();
    const overdue = (w: Watched) => Date.now() - startedAt >= (w.graceMs ?? graceMs);
    while (alive.some(([pid, w]) => isAlive(pid) && !overdue(w))) await sleep(100);
    for (const [pid, w] of alive) {
      if (!isAlive(pid)) continue;
      log(`SIGKILL → ${pid} (still alive after ${w.graceMs ?? graceMs} ms)`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
}

function parseArgs(argv: string[]): {
  parentPid: number;
  graceMs: number;
  watched: Map<number, Watched>;
} {
  const [parent, ...rest] = argv;
  const parentPid = Number(parent);
  if (!Number.isInteger(parentPid) || parentPid <= 0) {
    throw new Error('usage: node watchdog.ts <parentPid> [pid[:SIGNAL[:stage]]]… [--grace-ms=N]');
  }
  let graceMs = 15_000;
  const watched = new Map<number, Watched>();
  for (const arg of rest) {
    if (arg.startsWith('--grace-ms=')) graceMs = Number(arg.slice('--grace-ms='.length));
    else {
      const [pid, signal, stage] = arg.split(':');
      watched.set(Number(pid), {
        signal: (signal || 'SIGTERM') as NodeJS.Signals,
        stage: Number(stage ?? 1),
      });
    }
  }
  return { parentPid, graceMs, watched };
}

function runWatchdog(argv: string[]): void {
  const { parentPid, graceMs, watched } = parseArgs(argv);
  let reaping = false;
  const onParentGone = async (): Promise<void> => {
    if (reaping) return;
    reaping = true;
    await reap(watched, graceMs);
    process.exit(0);
  };
  process.on('message', (message: WatchMessage) => {
    if ('watch' in message) {
      const { pid, ...how } = message.watch;
      watched.set(pid, how);
    } else watched.delete(message.unwatch);
  });
  // The IPC channel closes the moment the launcher dies; polling covers launchers without a channel.
  process.on('disconnect', () => {
    if (!isAlive(parentPid)) void onParentGone();
  });
  setInterval(() => {
    if (!isAlive(parentPid)) void onParentGone();
  }, 250);
  // A stop() from the launcher is a deliberate goodbye: leave the watched processes alone.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => {});
}

if (import.meta.main) runWatchdog(process.argv.slice(2));
