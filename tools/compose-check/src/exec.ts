import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { ServiceError } from '@kafka-poc/resilience';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin, which is then closed (else stdin is empty and closed). */
  input?: string;
  timeoutMs?: number;
  /** Appends the command line and its whole output to this file (build logs, long commands). */
  logFile?: string;
  /** Called with each complete output line (stdout and stderr), for progress. */
  onLine?: (line: string) => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
  timedOut: boolean;
}

export class CommandError extends ServiceError<'COMMAND_FAILED'> {
  readonly result: RunResult;
  constructor(command: string, result: RunResult) {
    // The error lines first (a long compose output ends with its Waiting lines), then the end.
    const lines = result.output.trim().split('\n');
    const errors = lines.filter((l) => /error|failed|unhealthy|denied|not found/i.test(l)).slice(-8);
    const tail = [...new Set([...errors, ...lines.slice(-12)])].join('\n');
    const how = result.timedOut ? 'timed out' : `exited with ${result.code}`;
    super('COMMAND_FAILED', `${command} ${how}${tail ? `\n${tail}` : ''}`, { retryable: false });
    this.result = result;
  }
}

/** Runs a command to completion without blocking the event loop; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    log?.write(`\n$ ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    let partial = '';
    let timedOut = false;
    const onData = (chunk: Buffer, isErr: boolean) => {
      const text = chunk.toString('utf8');
      if (isErr) stderr += text;
      else stdout += text;
      output += text;
      log?.write(text);
      if (options.onLine) {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      }
    };
    child.stdout.on('data', (c: Buffer) => onData(c, false));
    child.stderr.on('data', (c: Buffer) => onData(c, true));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    const finish = (code: number) => {
      clearTimeout(timer);
      if (partial && options.onLine) options.onLine(partial);
      log?.end(`[exit ${code}]\n`);
      resolve({ code, stdout, stderr, output, timedOut });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      const text = error.code === 'ENOENT' ? `${command}: not found` : error.message;
      stderr += text;
      output += text;
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Like run, but a non-zero exit throws a CommandError carrying the end of the output. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args].join(' '), result);
  return result;
}

/** Whether a command exists on PATH. */
export async function onPath(command: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${command}`])).code === 0;
}
