import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, waitForPidExit } from '../src/index.ts';
import { tempDir } from './temp-dir.ts';

const LAUNCHER = fileURLToPath(new URL('./fixtures/launcher.ts', import.meta.url));

describe('watchdog', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('stops java and postgres when their launcher is SIGKILLed', { timeout: 90_000 }, async () => {
    const dir = await tempDir('watchdog');
    cleanup.push(dir.remove);
    const launcher = spawn(process.execPath, [LAUNCHER, dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(async () => {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    });
    const [firstLine] = (await once(launcher.stdout, 'data')) as [Buffer];
    const pids = JSON.parse(firstLine.toString()) as {
      javaPid: number;
      postgresPid: number;
      watchdogPid: number;
    };
    // If the test fails half-way, still leave nothing behind.
    cleanup.push(async () => {
      for (const pid of [pids.javaPid, pids.postgresPid]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    expect(isAlive(pids.javaPid)).toBe(true);
    expect(isAlive(pids.postgresPid)).toBe(true);

    launcher.kill('SIGKILL');
    await once(launcher, 'exit');

    const [javaGone, postgresGone, watchdogGone] = await Promise.all([
      waitForPidExit(pids.javaPid, 20_000),
      waitForPidExit(pids.postgresPid, 20_000),
      waitForPidExit(pids.watchdogPid, 25_000),
    ]);
    expect({ javaGone, postgresGone, watchdogGone }).toEqual({
      javaGone: true,
      postgresGone: true,
      watchdogGone: true,
    });
  });
});
