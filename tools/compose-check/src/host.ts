import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath, run, runOk } from './exec.ts';

/** `$KAFKA_POC_CACHE/compose-check` (default ~/.cache/kafka-poc/compose-check): kept between runs. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(env.KAFKA_POC_CACHE || join(homedir(), '.cache', 'kafka-poc'), 'compose-check');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Debian packages the run needs: the container engine, its OCI runtime, and the base-image builder. */
const PACKAGES: { command: string; pkg: string; why: string }[] = [
  { command: 'podman', pkg: 'podman', why: 'the container engine (no Docker engine here)' },
  { command: 'runc', pkg: 'runc', why: 'the OCI runtime Docker uses (crun fails on hybrid cgroups)' },
  { command: 'debootstrap', pkg: 'debootstrap', why: 'builds the Debian base of the stand-in images' },
];

/**
 * Installs what is missing with apt-get (as root; otherwise says what to install and fails).
 * Returns a line per package for the report.
 */
export async function ensureHostPackages(log: (line: string) => void): Promise<string> {
  const missing: typeof PACKAGES = [];
  for (const p of PACKAGES) if (!(await onPath(p.command))) missing.push(p);
  if (missing.length === 0) {
    const version = (await run('podman', ['--version'])).stdout.trim();
    return `${version}, runc, debootstrap present`;
  }
  const names = missing.map((p) => p.pkg);
  for (const p of missing) log(`missing ${p.command}: ${p.why}`);
  if (process.getuid?.() !== 0) {
    throw new Error(`not root: install them first: sudo apt-get install -y ${names.join(' ')}`);
  }
  log(`installing with apt-get: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOk('apt-get', ['update', '-qq'], { env, timeoutMs: 300_000 });
  await runOk('apt-get', ['install', '-y', '-qq', ...names], { env, timeoutMs: 900_000 });
  const version = (await run('podman', ['--version'])).stdout.trim();
  return `installed ${names.join(', ')} (${version})`;
}

/**
 * The containers.conf every podman process of the run reads (through CONTAINERS_CONF, so the
 * machine's own /etc/containers stays untouched): no default ulimits (runc cannot raise rlimits in
 * this sandbox: "error setting rlimits for ready process") and runc as the runtime.
 */
export function writeContainersConf(dir: string): string {
  const file = join(dir, 'containers.conf');
  writeFileSync(
    file,
    [
      '# Written by tools/compose-check for its podman processes (CONTAINERS_CONF).',
      '[containers]',
      'default_ulimits = []',
      '',
      '[engine]',
      'runtime = "runc"',
      '',
    ].join('\n'),
  );
  return file;
}
