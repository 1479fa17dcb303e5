import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

/** True while a process with this pid runs (signal 0 probes without delivering anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user (e.g. postgres run as the postgres user by a non-root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** A killed process stays visible to kill(0) until its parent reaps it; on Linux /proc tells us it is dead. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) S …" — comm may contain spaces or parentheses, so split at the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true once the pid is gone, false if it still runs after timeoutMs. Works for non-children too. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Resolves when a child we spawned has exited (immediately if it already has). */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Sends `signal`, waits up to graceMs, then SIGKILLs. Returns how it ended so callers can log an unclean stop.
 */
export async function stopChild(
  child: ChildProcess,
  options: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<'exited' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return 'exited';
  child.kill(options.signal ?? 'SIGTERM');
  if (await waitForChildExit(child, options.graceMs ?? 30_000)) return 'exited';
  child.kill('SIGKILL');
  await waitForChildExit(child, 10_000);
  return 'killed';
}

/**
 * True once the child is gone. Besides the 'exit' event it polls the pid, so a stop can never hang on a
 * missed event; a dead pid still gets a moment for the event, whose handlers update the caller's state.
 */
async function waitForChildExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const exited = childExited(child);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return true;
    if (child.pid === undefined || !isAlive(child.pid)) {
      await Promise.race([exited, sleep(2000)]);
      return true;
    }
    await Promise.race([exited, sleep(100)]);
  }
  return false;
}

/** The last `lines` lines of a text file ('' if it does not exist), for error messages. */
export async function tailFile(path: string, lines = 30): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    // Logs can be large: read at most the last 64 KiB.
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** Reads a small text file, or undefined when it is missing. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
