import { join } from 'node:path';
import { sleep } from '@kafka-poc/resilience';
import { CommandError, type RunResult, run } from './exec.ts';

export interface PsEntry {
  ID: string;
  Name: string;
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

export interface ComposeOptions {
  binary: string;
  dockerHost: string;
  engineEnv: NodeJS.ProcessEnv;
  projectDir: string;
  logDir: string;
  log: (line: string) => void;
}

/**
 * Runs `docker compose …` as a user would type it (the Compose binary against the engine), with a
 * clean environment: the caller's own overrides (ports, KAFKA_BROKERS, …) must not change the run.
 */
export class Compose {
  readonly files: string[];
  readonly profiles: string[];
  private readonly options: ComposeOptions;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: ComposeOptions, files: string[] = [], profiles: string[] = []) {
    this.options = options;
    this.files = files;
    this.profiles = profiles;
    const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'CONTAINERS_CONF', 'BUILDAH_FORMAT'];
    this.env = Object.fromEntries(
      keep.filter((k) => options.engineEnv[k] !== undefined).map((k) => [k, options.engineEnv[k]]),
    );
    Object.assign(this.env, { DOCKER_HOST: options.dockerHost, DOCKER_BUILDKIT: '0', COMPOSE_ANSI: 'never' });
  }

  /** The same project with other compose files (`-f a -f b`) and profiles (`--profile p`). */
  with(files: string[], profiles: string[] = []): Compose {
    return new Compose(this.options, files, profiles);
  }

  private globals(): string[] {
    return [...this.files.flatMap((f) => ['-f', f]), ...this.profiles.flatMap((p) => ['--profile', p])];
  }

  /** The command as the docs write it. */
  display(args: string[]): string {
    return ['docker compose', ...this.globals().map((w) => (w === '*' ? "'*'" : w)), ...args].join(' ');
  }

  async run(
    args: string[],
    opts: { input?: string; timeoutMs?: number; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {},
  ): Promise<RunResult> {
    const full = [...this.globals(), ...args];
    const result = await run(this.options.binary, full, {
      cwd: this.options.projectDir,
      env: { ...this.env, ...opts.env },
      input: opts.input,
      timeoutMs: opts.timeoutMs ?? 900_000,
      logFile: join(this.options.logDir, 'compose.log'),
    });
    if (result.code !== 0 && !opts.allowFail) throw new CommandError(this.display(args), result);
    return result;
  }

  async ps(all = false): Promise<PsEntry[]> {
    const r = await this.run(['ps', ...(all ? ['-a'] : []), '--format', 'json']);
    return r.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as PsEntry);
  }

  /** Waits until `count` containers run and every running one with a healthcheck is healthy. */
  async waitHealthy(timeoutMs: number, expect?: Record<string, number>): Promise<PsEntry[]> {
    const deadline = Date.now() + timeoutMs;
    let last: PsEntry[] = [];
    while (Date.now() < deadline) {
      last = await this.ps();
      const counts = new Map<string, number>();
      for (const c of last) counts.set(c.Service, (counts.get(c.Service) ?? 0) + 1);
      const countsOk = Object.entries(expect ?? {}).every(([s, n]) => counts.get(s) === n);
      if (
        countsOk &&
        last.length > 0 &&
        last.every((c) => c.State === 'running' && (c.Health === '' || c.Health === 'healthy'))
      ) {
        return last;
      }
      await sleep(2000);
    }
    const state = last.map((c) => `${c.Name} ${c.State}${c.Health ? ` (${c.Health})` : ''}`).join(', ');
    throw new Error(`not all healthy within ${timeoutMs / 1000} s: ${state || 'no containers'}`);
  }

  /** `docker compose port [--index n] <service> <port>` as host:port (127.0.0.1 for 0.0.0.0). */
  async port(service: string, port: number, index = 1): Promise<string> {
    const r = await this.run(['port', '--index', String(index), service, String(port)]);
    const hostPort = r.stdout.trim().split('\n')[0] ?? '';
    return hostPort.replace(/^(0\.0\.0\.0|\[::\]|)(?=:\d+$)/, '127.0.0.1');
  }
}
