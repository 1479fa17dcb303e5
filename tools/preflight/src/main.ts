// `npm test` runs this first: says in a second what the machine lacks (JDK, Maven, Chromium,
// openssl) and the line that installs it, instead of failing minutes into the suite.
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { checkJava, kafkaDistLocation } from '@kafka-poc/local-stack';
import { type Ancestor, type Facts, missingRequirements, report, rootCloneProblem } from './checks.ts';

function onPath(command: string): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('sh', ['-c', `command -v ${command}`], (error) => resolve(!error)),
  );
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

async function facts(): Promise<Facts> {
  const repo = join(import.meta.dirname, '..', '..', '..');
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const [java, mavenOnPath, dist, chromiumExecutable, opensslOnPath] = await Promise.all([
    checkJava().then(
      (j) => j.major,
      () => undefined,
    ),
    onPath('mvn'),
    kafkaDistLocation(join(repo, 'packages', 'local-stack', 'kafka', 'pom.xml')),
    exists(chromiumPath, constants.X_OK),
    onPath('openssl'),
  ]);
  return {
    javaMajor: java,
    mavenOnPath,
    kafkaProvisioned: await exists(dist.markerFile),
    chromiumPath,
    chromiumExecutable,
    opensslOnPath,
  };
}

/** The checkout and every directory above it, with their modes. */
async function ancestors(): Promise<Ancestor[]> {
  const list: Ancestor[] = [];
  for (let dir = resolve(import.meta.dirname, '..', '..', '..'); ; dir = dirname(dir)) {
    list.unshift({ path: dir, mode: (await stat(dir)).mode });
    if (dirname(dir) === dir) return list;
  }
}

const missing = missingRequirements(await facts());
if (missing.length > 0) {
  process.stderr.write(report(missing));
  process.exitCode = 1;
}
const rootProblem = rootCloneProblem(process.getuid?.() ?? -1, await ancestors());
if (rootProblem) {
  process.stderr.write(rootProblem);
  process.exitCode = 1;
}
