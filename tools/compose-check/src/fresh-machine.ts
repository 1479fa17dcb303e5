// `npm run fresh-machine:check`: README's promise that a machine with only its prerequisites passes
// `npm install && npm test`, checked in a container: Debian 12 (the stand-in base image, debootstrap
// minbase), exactly the `apt-get install …` line of README's "Quick start", Node.js 20 from NodeSource
// (as on this machine) and git, a clean clone of this repository's HEAD, then the two commands.
// Not a prerequisite but this sandbox's: its egress proxy's CA, trusted in the container as on the host.
// Takes long (the whole suite); the output goes to a log, the end of it to stdout.
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE, ensureBaseImage } from './base-image.ts';
import { run, runOk } from './exec.ts';
import { cacheDir, ensureHostPackages, writeContainersConf } from './host.ts';
import { REPO_ROOT } from './standins.ts';

const IMAGE = 'localhost/kafka-poc-fresh-machine:bookworm';
const NODESOURCE = {
  list: '/etc/apt/sources.list.d/nodesource.sources',
  key: '/usr/share/keyrings/nodesource.gpg',
};
const EXTRA_CA_DIR = '/usr/local/share/ca-certificates';

/** The packages README's "Quick start" tells people to install (its `apt-get install …` line). */
export function readmePackages(readme: string): string[] {
  const start = readme.indexOf('## Quick start');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end).replace(/\n\s*/g, ' ');
  const line = /apt-get install ([^`]+)`/.exec(section)?.[1];
  if (!line) throw new Error('README.md "Quick start" has no `apt-get install …` line');
  return line
    .trim()
    .split(/\s+/)
    .filter((w) => !w.startsWith('-'));
}

/**
 * Where the container's Node.js 20 comes from: NodeSource's apt repository when this machine has it
 * configured, else this machine's own installed NodeSource package (its files, from `dpkg -L nodejs`):
 * the same Node.js, for sandboxes where NodeSource's repository is not reachable.
 */
type NodeSource = 'repository' | 'host-package';

function dockerfile(packages: string[], node: NodeSource): string {
  const fromRepository = node === 'repository';
  return [
    `FROM ${BASE_IMAGE}`,
    '# This sandbox egress proxy CA (not a prerequisite of the project), trusted as on the host.',
    'COPY extra-ca/ /usr/local/share/ca-certificates/',
    ...(fromRepository
      ? [
          'COPY nodesource.sources /etc/apt/sources.list.d/nodesource.sources',
          'COPY nodesource.gpg /usr/share/keyrings/nodesource.gpg',
        ]
      : [
          "# NodeSource's nodejs package as installed on the host (its repository is not reachable here).",
          'ADD nodejs.tar /',
        ]),
    '# README: Node.js >= 20 with npm (NodeSource), git, and its apt-get line, as a user would type it.',
    `RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ca-certificates ${fromRepository ? 'nodejs ' : ''}git ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    // As root, the repository must sit where the postgres user can enter (embedded PostgreSQL runs as
    // that user): /root is mode 700, so a clone there fails with EACCES on initdb (README, Quick start).
    'WORKDIR /opt',
    '',
  ].join('\n');
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return true; // listed by dpkg but absent: nothing to copy
  }
}

async function main(): Promise<number> {
  const cache = cacheDir();
  const logDir = join(cache, 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `fresh-machine-${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}.log`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await ensureHostPackages(say);
  const env = { ...process.env, CONTAINERS_CONF: writeContainersConf(cache), BUILDAH_FORMAT: 'docker' };
  say(await ensureBaseImage(cache, env, say));

  const packages = readmePackages(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
  say(`README's prerequisites: Node.js 20 (NodeSource) with npm, git, apt-get install ${packages.join(' ')}`);
  const context = join(cache, 'contexts', 'fresh-machine');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'extra-ca'), { recursive: true });
  if (existsSync(EXTRA_CA_DIR)) {
    for (const f of readdirSync(EXTRA_CA_DIR))
      if (f.endsWith('.crt')) cpSync(join(EXTRA_CA_DIR, f), join(context, 'extra-ca', f));
  }
  const node: NodeSource =
    existsSync(NODESOURCE.list) && existsSync(NODESOURCE.key) ? 'repository' : 'host-package';
  if (node === 'repository') {
    cpSync(NODESOURCE.list, join(context, 'nodesource.sources'));
    cpSync(NODESOURCE.key, join(context, 'nodesource.gpg'));
  } else {
    const files = (await runOk('dpkg', ['-L', 'nodejs'])).stdout
      .split('\n')
      .filter((f) => f.startsWith('/') && !isDirectory(f));
    if (!files.some((f) => f === '/usr/bin/node'))
      throw new Error('no NodeSource repository configured and no nodejs package installed on this machine');
    // npm may have been updated in place since the package was installed (npm install -g npm): its
    // directory goes whole, whatever dpkg listed.
    const npmDir = 'usr/lib/node_modules/npm';
    const listed = files.map((f) => f.slice(1)).filter((f) => !f.startsWith(`${npmDir}/`));
    await runOk('tar', ['-C', '/', '-cf', join(context, 'nodejs.tar'), ...listed, npmDir]);
    say(
      `Node.js: NodeSource's repository is not configured here; using this machine's nodejs package (${files.length} files)`,
    );
  }
  writeFileSync(join(context, 'Dockerfile'), dockerfile(packages, node));
  say(`building ${IMAGE} (log ${log})`);
  await runOk('podman', ['build', '-t', IMAGE, context], { env, logFile: log, timeoutMs: 3_600_000 });

  // A clean clone of HEAD (committed work only), as a bundle the container clones from.
  const head = (await runOk('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT })).stdout.trim();
  const bundle = join(context, 'repo.bundle');
  await runOk('git', ['bundle', 'create', bundle, 'HEAD'], { cwd: REPO_ROOT });
  const script = [
    'set -e',
    'node --version; npm --version; java -version 2>&1 | head -1; mvn -v | head -1; chromium --version; openssl version',
    'git clone -q /in/repo.bundle kafka-poc && cd kafka-poc',
    'SECONDS=0',
    'npm install --no-audit --no-fund',
    'echo "::: npm install done in $SECONDS s"',
    'SECONDS=0',
    'npm test',
    'echo "::: npm test done in $SECONDS s"',
  ].join('\n');
  say(`clean clone of ${head}; npm install && npm test in the container (long; log ${log})`);
  const started = performance.now();
  const result = await run(
    'podman',
    ['run', '--rm', '--shm-size=1g', '-v', `${context}:/in:ro`, IMAGE, 'bash', '-c', script],
    {
      env,
      logFile: log,
      timeoutMs: 7_200_000,
      onLine: (l) => /^:::|Test Files|Tests |npm test:/.test(l) && say(`  ${l}`),
    },
  );
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  say(result.output.trim().split('\n').slice(-25).join('\n'));
  say(
    `fresh machine: npm install && npm test ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`} in ${minutes} min (commit ${head}; log ${log})`,
  );
  return result.code;
}

if (import.meta.main) process.exitCode = await main();
