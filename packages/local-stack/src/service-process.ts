import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { LocalStackError } from './errors.ts';
import { repoRoot } from './paths.ts';
import { isAlive, sleep } from './processes.ts';
import { appCommand, findService } from './services.ts';
import type { Watchdog } from './watchdog.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal we sent (or the start, for an exit nobody asked for) to the exit. */
  ms: number;
  /** True when we asked for it (stop/kill); false = the service died by itself. */
  requested: boolean;
  /** Wall-clock time of the exit (ms since the epoch). */
  at: number;
}

export interface ServiceProcessOptions {
  /** A service of SERVICES (e.g. 'order-service'): its entry file is what runs. */
  service: string;
  /** Instance id for humans and logs (e.g. 'order-service-2'). */
  id: string;
  port: number;
  /** The whole environment of the process (nothing is inherited). */
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
 * One instance of a service run exactly as `npm start` runs it (`node services/<name>/src/main.ts`
 * from its package dir, see tools/dev/src/service-instance.ts), with its output in a log file: the
 * fault suite and the chaos campaign start, stop, kill and freeze services through this.
 */
export class ServiceProcess {
  readonly service: string;
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  /** Every exit of every incarnation, in order. */
  readonly exits: ExitInfo[] = [];
  #options: ServiceProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitInfo> = Promise.resolve({
    code: 0,
    signal: null,
    ms: 0,
    requested: true,
    at: Date.now(),
  });
  #signalledAt: number | undefined;
  #paused = false;
  #ready = false;

  constructor(options: ServiceProcessOptions) {
    if (!findService(options.service)) {
      throw new LocalStackError('INVALID_ARGUMENT', `Unknown service ${options.service}.`, {
        retryable: false,
      });
    }
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

  /** True once /health/ready answered 200 (waitReady) for the running process, until it exits. */
  get ready(): boolean {
    return this.#ready && this.#child !== undefined;
  }

  /** True between pause() and resume() (the process exists but gets no CPU). */
  get paused(): boolean {
    return this.#paused;
  }

  /** The environment the next start uses (the current one's, until setEnv). */
  get env(): Record<string, string> {
    return this.#options.env;
  }

  /** Exits we did not cause: a service that "keeps running" through a fault has none. */
  get unexpectedExits(): ExitInfo[] {
    return this.exits.filter((e) => !e.requested);
  }

  /** Replaces the environment of the next start (a new version or setting for a rolling restart). */
  setEnv(env: Record<string, string>): void {
    this.#options = { ...this.#options, env };
  }

  /** Spawns the process and waits for its first 200 from /health/ready. */
  async start(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    this.spawn();
    await this.waitReady(timeoutMs);
  }

  /** Spawns the process without waiting for readiness. */
  spawn(): void {
    if (this.#child) {
      throw new LocalStackError('INVALID_ARGUMENT', `${this.id} is already running.`, { retryable: false });
    }
    this.#spawn();
  }

  /** Polls /health/ready until 200; fails at once if the process exits meanwhile. */
  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.#child) {
        throw new LocalStackError('SERVICE_START_FAILED', `${this.id} exited before it was ready.`, {
          retryable: false,
          hint: `see ${this.logFile}`,
        });
      }
      try {
        const child = this.#child;
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) {
          if (this.#child === child) this.#ready = true;
          return;
        }
        last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(200);
    }
    throw new LocalStackError('SERVICE_NOT_READY', `${this.id} not ready within ${timeoutMs} ms (${last}).`, {
      retryable: true,
      hint: `see ${this.logFile}`,
    });
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

  /** SIGSTOP: the process freezes as in a long GC pause; its sockets stay open and unanswered. */
  pause(): void {
    const child = this.#requireChild();
    child.kill('SIGSTOP');
    this.#paused = true;
  }

  /** SIGCONT after pause(); a no-op when not paused or no longer running. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#child?.kill('SIGCONT');
  }

  /** Closes our end of the output pipes (pipeOutput only), as when a launcher is SIGKILLed. */
  dropOutput(): void {
    this.#child?.stdout?.destroy();
    this.#child?.stderr?.destroy();
  }

  /** Last resort at teardown: nothing may outlive the caller. */
  async ensureStopped(): Promise<void> {
    const pid = this.#child?.pid;
    if (!pid) return;
    await this.stop(10_000).catch(() => undefined);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }

  #requireChild(): ChildProcess {
    if (!this.#child) {
      throw new LocalStackError('INVALID_ARGUMENT', `${this.id} is not running.`, { retryable: false });
    }
    return this.#child;
  }

  async #signal(signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number): Promise<ExitInfo> {
    const child = this.#requireChild();
    this.#signalledAt = Date.now();
    // Out of rotation from the signal on, as a load balancer drops an instance that is terminating.
    this.#ready = false;
    child.kill(signal);
    // A frozen process would only act on SIGTERM once continued.
    if (this.#paused) this.resume();
    const exited = this.#exited;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #spawn(): void {
    const definition = findService(this.service);
    if (!definition)
      throw new LocalStackError('INVALID_ARGUMENT', `Unknown service ${this.service}.`, { retryable: false });
    const root = repoRoot();
    const pipe = this.#options.pipeOutput === true;
    const out = pipe ? 'pipe' : openSync(this.logFile, 'a');
    const startedAt = Date.now();
    // Detached: a Ctrl-C aimed at the caller does not reach the services before it stops them.
    const command = appCommand(definition, root);
    const child = spawn(process.execPath, command.args, {
      cwd: command.cwd,
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
    this.#paused = false;
    this.#ready = false;
    const pid = child.pid;
    if (pid) this.#options.watchdog.watch(pid, { signal: 'SIGTERM', stage: 0, graceMs: 5000 });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (pid) this.#options.watchdog.unwatch(pid);
        const requested = this.#signalledAt !== undefined;
        const at = Date.now();
        const info = { code, signal, ms: at - (this.#signalledAt ?? startedAt), requested, at };
        this.exits.push(info);
        if (this.#child === child) {
          this.#child = undefined;
          this.#paused = false;
        }
        resolve(info);
      });
    });
  }
}
