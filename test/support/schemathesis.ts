/**
 * Schemathesis (PyPI), the property-based OpenAPI tester, run against a live service: installed
 * once into .cache/schemathesis/venv (git-ignored) from test/contract/requirements.txt (pinned),
 * reinstalled only when that file changes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@kafka-poc/local-stack';

const CACHE = join(repoRoot(), '.cache', 'schemathesis');
const REQUIREMENTS = join(repoRoot(), 'test', 'contract', 'requirements.txt');

/** Path of the schemathesis CLI, installing it first when missing or when the pins changed. */
export function ensureSchemathesis(log: (line: string) => void): string {
  const venv = join(CACHE, 'venv');
  const cli = join(venv, 'bin', 'schemathesis');
  const stamp = join(CACHE, 'requirements.sha256');
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  if (existsSync(cli) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return cli;
  mkdirSync(CACHE, { recursive: true });
  const python = ['python3', 'python'].find(
    (candidate) =>
      spawnSync(candidate, ['-c', 'import sys, venv; assert sys.version_info >= (3, 10)']).status === 0,
  );
  if (!python) throw new Error('python3 (>= 3.10, with the venv module) is needed for schemathesis');
  log(`installing schemathesis into ${venv} (pinned in ${REQUIREMENTS})`);
  run(python, ['-m', 'venv', '--clear', venv]);
  run(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-input',
    '-r',
    REQUIREMENTS,
  ]);
  writeFileSync(stamp, wanted);
  return cli;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

export interface SchemathesisRun {
  exitCode: number;
  /** Its whole console output (also in `log`). */
  output: string;
  /** The summary lines: operations, test cases, failures, time. */
  summary: string[];
  log: string;
  reportDir: string;
}

/** One `schemathesis run` against a live OpenAPI document; never throws on test failures. */
export async function runSchemathesis(options: {
  cli: string;
  configFile: string;
  schemaUrl: string;
  reportDir: string;
  headers?: Record<string, string> | undefined;
  /** A Python file of schemathesis hooks. */
  hooks?: string;
  /** More `run` options (checks, seed, examples). */
  args?: string[];
  timeoutMs: number;
}): Promise<SchemathesisRun> {
  mkdirSync(options.reportDir, { recursive: true });
  const log = join(options.reportDir, 'schemathesis.log');
  const args = [
    '--config-file',
    options.configFile,
    '--no-color',
    'run',
    options.schemaUrl,
    '--report',
    'junit,har',
    '--report-dir',
    options.reportDir,
    ...(options.args ?? []),
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
  ];
  const child = spawn(options.cli, args, {
    cwd: repoRoot(),
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      ...(options.hooks ? { SCHEMATHESIS_HOOKS: options.hooks } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(log);
  file.write(`$ schemathesis ${args.join(' ')}\n\n`);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    file.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
  const exitCode = await new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  clearTimeout(timer);
  await new Promise<void>((resolve) => file.end(resolve));
  return { exitCode, output, summary: summaryLines(output), log, reportDir: options.reportDir };
}

/**
 * The figures of schemathesis' closing summary (its 4.x layout: a label line, then indented values),
 * e.g. `operations tested: 6 | test cases: 380 generated, 380 passed | No issues found in 6.55s`.
 */
export function summaryLines(output: string): string[] {
  const lines = output.split('\n');
  const from = lines.findIndex((line) => / SUMMARY =+$/.test(line));
  if (from < 0) return [];
  const summary: string[] = [];
  const valuesAfter = (label: string) => {
    const at = lines.indexOf(label, from);
    if (at < 0) return [];
    const values: string[] = [];
    for (const line of lines.slice(at + 1)) {
      if (!line.startsWith('  ')) break;
      values.push(line.trim());
    }
    return values;
  };
  const tested = valuesAfter('API Operations:').find((v) => v.startsWith('Tested:'));
  if (tested) summary.push(`operations ${tested.toLowerCase()}`);
  const cases = valuesAfter('Test cases:')[0];
  if (cases) summary.push(`test cases: ${cases}`);
  for (const label of ['Failures:', 'Errors:', 'Warnings:']) {
    const values = valuesAfter(label);
    if (values.length > 0) summary.push(`${label.toLowerCase()} ${values.join('; ')}`);
  }
  const closing = lines.findLast((line) => /^=+ .+ =+$/.test(line));
  if (closing) summary.push(closing.replace(/^=+ | =+$/g, ''));
  return summary;
}
