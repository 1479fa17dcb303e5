import { spawn } from 'node:child_process';
import { runCommandLine } from '@kafka-poc/cli';
import { repoRoot } from '@kafka-poc/local-stack';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run cli -- <args>` as an operator would, against the given brokers (and `env`, e.g.
 * DATABASE_URL), and returns its exit code and output. Killed after timeoutMs, so a hanging command
 * fails the test instead of hanging it.
 */
export function runCli(
  args: string[],
  kafkaBrokers: string,
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cli', '--', ...args], {
      cwd: repoRoot(),
      env: { ...process.env, ...env, KAFKA_BROKERS: kafkaBrokers },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs the CLI's command line in this process (the same code as `npm run cli`, without starting
 * Node and npm: a process start costs seconds on a loaded machine), capturing its output. One at a
 * time: it borrows process.stdout and process.stderr while it runs.
 */
export async function runCliInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const { stdout: out, stderr: err } = process;
  const writeOut = out.write;
  const writeErr = err.write;
  out.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof out.write;
  err.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof err.write;
  try {
    const code = await runCommandLine(args, { ...process.env, ...env });
    return { code, stdout, stderr };
  } finally {
    out.write = writeOut;
    err.write = writeErr;
  }
}
