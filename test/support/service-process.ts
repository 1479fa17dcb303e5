import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { join } from 'node:path';
import { findService, isAlive, repoRoot, type Watchdog } from '@kafka-poc/local-stack';

export type ServiceName = 'order-service' | 'inventory-service' | 'notification-service';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal we sent (or the start, for an exit nobody asked for) to the exit. */
  ms: number;
  /** True when we asked for it (stop/kill); false = the service died by itself. */
  requested: boolean;
}

export interface ServiceProcessOptions {
  service: ServiceName;
  id: string;
  port: number;
  env: Record<string, string>;
  /** Both output streams are appended here, across restarts, for failure diagnosis. */
  logFile: string;
  watchdog: Watchdog;
  /**
   * Output through pipes we read (as `npm start` runs services) instead of straight into the log file,
   * so a test can close our end of them with dropOutput().
   */
  pipeOutput?: boolean;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * One instance of a service run exactly as `npm start` runs it (`node services/<name>/src/main.ts`,
 * see tools/dev/src/service-instance.ts), with its output in a log file instead of a pipe.
 */
export class ServiceProcess {
  readonly service: ServiceName;
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  /** Every exit of every incarnation, in order. */
  readonly exits: ExitInfo[] = [];
  #options: ServiceProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitInfo> = Promise.resolve({ code: 0, signal: null, ms: 0, requested: true });
  #signalledAt: number | undefined;

  constructor(options: ServiceProcessOptions) {
    this.#options = options;
    this.service = options.service;
    this.id = options.id;
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
    this.logFile = options.logFile;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Exits we did not cause: a service that "keeps running" through a fault has none. */
  get unexpectedExits(): ExitInfo[] {
    return this.exits.filter((e) => !e.requested);
  }

  /** Spawns the process and waits for its first 200 from /health/ready. */
  async start(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    if (this.#child) throw new Error(`${this.id} is already running`);
    this.#spawn();
    await this.waitReady(timeoutMs);
  }

  /** Polls /health/ready until 200; fails at once if the process exits meanwhile. */
  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.#child) throw new Error(`${this.id} exited before it was ready; see ${this.logFile}`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return;
        last = `HTTP ${response.status}: ${await response.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.id} not ready within ${timeoutMs} ms (${last}); see ${this.logFile}`);
  }

  /** SIGTERM and wait for the exit; SIGKILL after timeoutMs (reported as signal SIGKILL). */
  async stop(timeoutMs = 30_000): Promise<ExitInfo> {
    return this.#signal('SIGTERM', timeoutMs);
  }

  /** SIGKILL: no handler runs, nothing is flushed or committed. */
  async kill(): Promise<ExitInfo> {
    return this.#signal('SIGKILL', 10_000);
  }

  async restart(): Promise<void> {
    if (this.#child) await this.stop();
    await this.start();
  }

  async #signal(signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number): Promise<ExitInfo> {
    const child = this.#child;
    if (!child) throw new Error(`${this.id} is not running`);
    this.#signalledAt = Date.now();
    child.kill(signal);
    const exited = this.#exited;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes our end of the output pipes (pipeOutput only), as when a launcher is SIGKILLed. */
  dropOutput(): void {
    this.#child?.stdout?.destroy();
    this.#child?.stderr?.destroy();
  }

  #spawn(): void {
    const definition = findService(this.service);
    if (!definition) throw new Error(`unknown service ${this.service}`);
    const root = repoRoot();
    const pipe = this.#options.pipeOutput === true;
    const out = pipe ? 'pipe' : openSync(this.logFile, 'a');
    const startedAt = Date.now();
    // Detached: a Ctrl-C aimed at vitest does not reach the services before the harness stops them.
    const child = spawn(process.execPath, [join(root, definition.entry)], {
      cwd: join(root, definition.entry.split('/src/')[0] ?? '.'),
      env: this.#options.env,
      stdio: ['ignore', out, out],
      detached: true,
    });
    if (typeof out === 'number') closeSync(out);
    else {
      const log = createWriteStream(this.logFile, { flags: 'a' });
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      child.once('close', () => log.end());
    }
    this.#child = child;
    this.#signalledAt = undefined;
    const pid = child.pid;
    if (pid) this.#options.watchdog.watch(pid, { signal: 'SIGTERM', stage: 0, graceMs: 5000 });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (pid) this.#options.watchdog.unwatch(pid);
        const requested = this.#signalledAt !== undefined;
        const info = { code, signal, ms: Date.now() - (this.#signalledAt ?? startedAt), requested };
        this.exits.push(info);
        if (this.#child === child) this.#child = undefined;
        resolve(info);
      });
    });
  }

  /** Last resort at teardown: nothing may outlive the suite. */
  async ensureStopped(): Promise<void> {
    const pid = this.#child?.pid;
    if (!pid) return;
    await this.stop(10_000).catch(() => undefined);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}
