import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { acquireLock } from './cache-lock.ts';
import { LocalStackError } from './errors.ts';
import { checkJava, checkMaven } from './java.ts';
import { readIfExists, tailFile } from './processes.ts';
import { elapsed, type OnProgress, silentProgress } from './progress.ts';

export interface KafkaDistOptions {
  onProgress?: OnProgress;
  env?: NodeJS.ProcessEnv;
  /** The pom that lists the jars; defaults to packages/local-stack/kafka/pom.xml. */
  pomPath?: string;
}

export interface KafkaDistLocation {
  version: string;
  cacheRoot: string;
  libsDir: string;
  markerFile: string;
}

const DEFAULT_POM = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));
const MARKER = '.provisioned.json';

/** Where the jars live: `$KAFKA_POC_CACHE/kafka-<v>/libs`, default `~/.cache/kafka-poc/kafka-<v>/libs`. */
export async function kafkaDistLocation(
  pomPath: string = DEFAULT_POM,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KafkaDistLocation & { pomHash: string }> {
  const pom = await readFile(pomPath, 'utf8');
  // The pom is the single source of truth for the version, so bumping it provisions a fresh dir.
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]?.trim();
  if (!version) {
    throw new LocalStackError('KAFKA_PROVISION_FAILED', `No <kafka.version> in ${pomPath}.`, {
      retryable: false,
    });
  }
  const cacheRoot = env.KAFKA_POC_CACHE || join(homedir(), '.cache', 'kafka-poc');
  const libsDir = join(cacheRoot, `kafka-${version}`, 'libs');
  const pomHash = createHash('sha256').update(pom).digest('hex');
  return { version, cacheRoot, libsDir, markerFile: join(libsDir, MARKER), pomHash };
}

async function isProvisioned(markerFile: string, pomHash: string): Promise<boolean> {
  const text = await readIfExists(markerFile);
  if (!text) return false;
  try {
    return (JSON.parse(text) as { pomHash?: string }).pomHash === pomHash;
  } catch {
    return false;
  }
}

/**
 * Makes sure the Kafka broker + tools jars are in the cache and returns the libs dir (use as `-cp '<dir>/*'`).
 * Downloads with Maven once; a marker written after a successful run means a half download is redone.
 * Safe when several processes call it at once: one downloads under a lock file, the others wait.
 */
export async function ensureKafkaDist(options: KafkaDistOptions = {}): Promise<string> {
  const onProgress = options.onProgress ?? silentProgress;
  const env = options.env ?? process.env;
  const pomPath = options.pomPath ?? DEFAULT_POM;
  const location = await kafkaDistLocation(pomPath, env);
  if (await isProvisioned(location.markerFile, location.pomHash)) return location.libsDir;
  // Maven needs Java too, and the jars are useless without 17+: fail before a long download.
  await checkJava(env);

  const versionDir = join(location.libsDir, '..');
  await mkdir(versionDir, { recursive: true });
  const release = await acquireLock(
    join(versionDir, '.provision.lock'),
    'downloading the Kafka jars',
    onProgress,
  );
  try {
    // Another process may have finished while we waited for the lock.
    if (await isProvisioned(location.markerFile, location.pomHash)) return location.libsDir;
    await download({ ...location, pomPath, versionDir, onProgress });
    return location.libsDir;
  } finally {
    await release();
  }
}

async function download(args: {
  version: string;
  libsDir: string;
  pomHash: string;
  pomPath: string;
  versionDir: string;
  onProgress: OnProgress;
}): Promise<void> {
  const { onProgress } = args;
  const maven = await checkMaven();
  const tmpDir = `${args.libsDir}.tmp-${process.pid}`;
  const logFile = join(args.versionDir, 'mvn.log');
  await rm(tmpDir, { recursive: true, force: true });
  const startedAt = performance.now();
  onProgress(`downloading Apache Kafka ${args.version} jars with ${maven} (log: ${logFile})`);
  await runMaven(args.pomPath, tmpDir, logFile, onProgress);
  const jars = (await readdir(tmpDir)).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith('kafka_2.13-'))) {
    throw new LocalStackError(
      'KAFKA_PROVISION_FAILED',
      `Maven finished but ${tmpDir} has no kafka_2.13 jar.`,
      {
        retryable: true,
        hint: `see ${logFile}`,
      },
    );
  }
  await writeFile(
    join(tmpDir, MARKER),
    JSON.stringify({
      version: args.version,
      pomHash: args.pomHash,
      jars: jars.length,
      at: new Date().toISOString(),
    }),
  );
  // Swap the complete dir into place; an older (e.g. half-downloaded) dir is moved aside, then deleted.
  const oldDir = `${args.libsDir}.old-${process.pid}`;
  await rename(args.libsDir, oldDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(tmpDir, args.libsDir);
  await rm(oldDir, { recursive: true, force: true });
  onProgress(`Kafka ${args.version}: ${jars.length} jars in ${args.libsDir} (${elapsed(startedAt)})`);
}

function runMaven(
  pomPath: string,
  outputDir: string,
  logFile: string,
  onProgress: OnProgress,
): Promise<void> {
  const args = [
    '-B',
    '-f',
    pomPath,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outputDir}`,
  ];
  const log = createWriteStream(logFile);
  const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(log, { end: false });
  let downloaded = 0;
  // Maven is verbose: keep everything in the log, show one line per downloaded artifact.
  createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    const match = /Downloaded from \S+: (\S+)/.exec(line);
    if (match?.[1]?.endsWith('.jar')) {
      downloaded += 1;
      onProgress(`  [mvn] ${downloaded}: ${match[1].split('/').pop()}`);
    } else if (line.startsWith('[ERROR]')) {
      onProgress(`  [mvn] ${line}`);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      log.end();
      reject(
        new LocalStackError('MAVEN_MISSING', `Could not run mvn: ${error.message}`, {
          retryable: false,
          cause: error,
        }),
      );
    });
    child.once('close', (code) => {
      log.end(async () => {
        if (code === 0) return resolve();
        const tail = await tailFile(logFile, 25);
        reject(
          new LocalStackError(
            'KAFKA_PROVISION_FAILED',
            `mvn exited with code ${code}. Last lines:\n${tail}`,
            {
              retryable: true,
              hint: `network or Maven Central trouble is the usual cause; full log: ${logFile}`,
            },
          ),
        );
      });
    });
  });
}
