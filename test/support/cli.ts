import { spawn } from 'node:child_process';
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
