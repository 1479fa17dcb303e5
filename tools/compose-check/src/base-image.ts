import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run, runOk } from './exec.ts';

/** The Debian every stand-in image starts from (no registry: made with debootstrap, then imported). */
export const BASE_IMAGE = 'localhost/kafka-poc-standin/debian:bookworm';
const SUITE = 'bookworm';

/** The Debian mirror apt uses on this machine (deb822 or one-line sources), else deb.debian.org. */
export function debianMirror(sources: string[]): string {
  for (const text of sources) {
    for (const m of text.matchAll(/^URIs:\s*(\S+)/gm)) {
      const uri = m[1] ?? '';
      if (/\/debian\/?$/.test(uri) && !/security/.test(uri)) return uri;
    }
    for (const m of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gm)) {
      const uri = m[1] ?? '';
      if (/\/debian\/?$/.test(uri) && (m[2] ?? '').startsWith(SUITE)) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

function aptSources(): string[] {
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d')) files.push(join('/etc/apt/sources.list.d', f));
  }
  return files.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
}

/**
 * Makes sure BASE_IMAGE exists: imported from the cached root file system tarball, which debootstrap
 * makes once (--variant=minbase, about a minute; apt lists and caches removed).
 */
export async function ensureBaseImage(
  cache: string,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string> {
  if ((await run('podman', ['image', 'exists', BASE_IMAGE], { env })).code === 0)
    return `${BASE_IMAGE} (cached)`;
  const tarball = join(cache, `debian-${SUITE}-minbase.tar`);
  let made = '';
  if (!existsSync(tarball)) {
    const mirror = debianMirror(aptSources());
    const rootfs = join(cache, `rootfs-${SUITE}.tmp`);
    rmSync(rootfs, { recursive: true, force: true });
    log(`debootstrap --variant=minbase ${SUITE} from ${mirror} (once)`);
    await runOk('debootstrap', ['--variant=minbase', SUITE, rootfs, mirror], {
      timeoutMs: 1_200_000,
      logFile: join(cache, 'debootstrap.log'),
    });
    await runOk('sh', [
      '-c',
      `rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/*.bin "${rootfs}"/var/cache/apt/archives/*.deb`,
    ]);
    await runOk('tar', ['-C', rootfs, '-cf', `${tarball}.tmp`, '.']);
    renameSync(`${tarball}.tmp`, tarball);
    rmSync(rootfs, { recursive: true, force: true });
    made = `debootstrap ${SUITE} from ${mirror}, `;
  }
  await runOk('podman', ['import', '--change', 'CMD ["bash"]', tarball, BASE_IMAGE], {
    env,
    timeoutMs: 300_000,
  });
  return `${BASE_IMAGE}: ${made}imported from ${tarball}`;
}
