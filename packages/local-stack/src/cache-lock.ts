import { open, unlink } from 'node:fs/promises';
import { isAlive, readIfExists, sleep } from './processes.ts';
import type { OnProgress } from './progress.ts';

/**
 * Exclusive lock via O_EXCL create, for provisioning into the shared cache: a lock whose owner pid
 * is dead is stale and taken over. Resolves with the release function.
 */
export async function acquireLock(
  lockFile: string,
  /** What the owner is doing, for the "waiting" message (e.g. "downloading the Kafka jars"). */
  what: string,
  onProgress: OnProgress,
): Promise<() => Promise<void>> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockFile).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readIfExists(lockFile))?.trim());
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (!announced) {
      onProgress(`another process (pid ${owner || '?'}) is ${what}; waiting (lock: ${lockFile})`);
      announced = true;
    }
    await sleep(500);
  }
}
