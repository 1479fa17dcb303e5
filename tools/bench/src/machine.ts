/** What the report says about the machine and the code: CPU, memory, versions, load, git commit. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { repoRoot } from '@kafka-poc/local-stack';
import { parseMachineStat } from './proc-sampler.ts';
import type { MachineInfo } from './result.ts';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd: repoRoot() }, (error, stdout, stderr) =>
      resolve(error ? '' : `${stdout}${stderr}`.trim()),
    ),
  );
}

async function machineBusy(): Promise<{ busy: number; total: number } | undefined> {
  try {
    return parseMachineStat(await readFile('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Machine facts, with the CPU others use measured over `sampleMs` before we start anything. */
export async function machineInfo(sampleMs = 2000): Promise<MachineInfo> {
  const before = await machineBusy();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = await machineBusy();
  const cores = cpus().length;
  const busy =
    before && after && after.total > before.total
      ? ((after.busy - before.busy) / (after.total - before.total)) * 100 * cores
      : 0;
  const java = (await run('java', ['-version'])).split('\n')[0] ?? '';
  const load = Number((await readFile('/proc/loadavg', 'utf8').catch(() => '0')).split(' ')[0]) || 0;
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    java,
    busyBeforeStartPct: Math.round(busy),
    load1AtStart: load,
  };
}

/**
 * On a shared machine: waits until other processes use less than `belowPct` (% of one core) in each of
 * `samples` consecutive 2-second samples, or `maxMs` passes. Returns the busy figures seen last.
 */
export async function waitForQuietMachine(args: {
  belowPct: number;
  maxMs: number;
  samples?: number;
  log: (message: string) => void;
}): Promise<{ quiet: boolean; waitedMs: number; lastPct: number }> {
  const started = Date.now();
  const needed = args.samples ?? 3;
  let streak = 0;
  let lastPct = 0;
  let nextNote = Date.now() + 10_000;
  const cores = cpus().length;
  for (;;) {
    const before = await machineBusy();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = await machineBusy();
    lastPct =
      before && after && after.total > before.total
        ? ((after.busy - before.busy) / (after.total - before.total)) * 100 * cores
        : 0;
    streak = lastPct < args.belowPct ? streak + 1 : 0;
    if (streak >= needed) return { quiet: true, waitedMs: Date.now() - started, lastPct };
    if (Date.now() - started > args.maxMs) return { quiet: false, waitedMs: Date.now() - started, lastPct };
    if (Date.now() > nextNote) {
      args.log(
        `waiting for a quieter machine: ${lastPct.toFixed(0)} % of one core busy (want < ${args.belowPct} %)`,
      );
      nextNote = Date.now() + 30_000;
    }
  }
}

/** The commit under test and how many files differ from it (read-only git commands). */
export async function gitState(): Promise<{ commit: string; dirtyFiles: number; diffHash: string }> {
  const commit = await run('git', ['rev-parse', '--short=12', 'HEAD']);
  const status = await run('git', ['status', '--porcelain', '--untracked-files=no']);
  // Others may edit the working tree between runs: a hash of the diff tells whether two runs saw the same code.
  const diff = await run('git', ['diff', 'HEAD']);
  return {
    commit: commit || 'unknown',
    dirtyFiles: status ? status.split('\n').length : 0,
    diffHash: createHash('sha256').update(diff).digest('hex').slice(0, 12),
  };
}
