/**
 * One service (or the console) run as `npm start` runs it (its build, `services/<name>/dist/main.mjs`, from its package dir,
 * see tools/dev/src/service-instance.ts), but with its output in a log file, not our terminal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type ServiceName as PipelineService, SERVICES } from '@kafka-poc/contracts';
import { appCommand, findService, repoRoot, type Watchdog } from '@kafka-poc/local-stack';

/** A service of the pipeline, or the console (which the bench runs as `npm start` does). */
export type ServiceName = PipelineService | 'console';
/** The three services, in pipeline order (the one list: @kafka-poc/contracts). */
export const SERVICE_NAMES: readonly PipelineService[] = Object.values(SERVICES);

export class ServiceProcess {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #unexpectedExit: string | undefined;
  #stopping = false;
  readonly #watchdog: Watchdog;

  constructor(args: { name: ServiceName; port: number; logFile: string; watchdog: Watchdog }) {
    this.name = args.name;
    this.port = args.port;
    this.url = `http://127.0.0.1:${args.port}`;
    this.logFile = args.logFile;
    this.#watchdog = args.watchdog;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Set if the process died without being asked to (the run is then suspect). */
  get unexpectedExit(): string | undefined {
    return this.#unexpectedExit;
  }

  start(env: NodeJS.ProcessEnv): void {
    const definition = findService(this.name);
    if (!definition) throw new Error(`unknown service ${this.name}`);
    const root = repoRoot();
    const out = openSync(this.logFile, 'a');
    const command = appCommand(definition, root);
    const child = spawn(process.execPath, command.args, {
      cwd: command.cwd,
      env,
      stdio: ['ignore', out, out],
      detached: true,
    });
    closeSync(out);
    this.#child = child;
    const pid = child.pid;
    // Services stop before the Kafka and Postgres they use if this process dies.
    if (pid) this.#watchdog.watch(pid, { signal: 'SIGTERM', stage: 0, graceMs: 10_000 });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (pid) this.#watchdog.unwatch(pid);
        if (!this.#stopping) this.#unexpectedExit = `${this.name} exited (${signal ?? `code ${code}`})`;
        this.#child = undefined;
        resolve();
      });
    });
  }

  /** Polls /health/ready until 200; fails if the process exits first or the time is up. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.#child) throw new Error(`${this.name} exited before it was ready; see ${this.logFile}`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return;
        last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms (${last}); see ${this.logFile}`);
  }

  /** SIGTERM (a graceful stop also writes --cpu-prof profiles), SIGKILL after graceMs. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
