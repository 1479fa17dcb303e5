/**
 * Toxiproxy (Shopify's TCP fault proxy: latency, cut links, black holes, resets) as a local process:
 * built once from the Go module proxy into the shared cache next to the Kafka jars, started on a
 * random port of 127.0.0.1. Driving its HTTP API is the caller's business.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from './cache-lock.ts';
import { LocalStackError } from './errors.ts';
import { freePort } from './ports.ts';
import { childExited, readIfExists, sleep, stopChild, tailFile } from './processes.ts';
import { elapsed, type OnProgress, silentProgress } from './progress.ts';
import { type Watchdog, watchdogHandle } from './watchdog.ts';

export const TOXIPROXY_VERSION = '2.5.0';
const MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server';
const MARKER = '.provisioned.json';

export interface ToxiproxyOptions {
  onProgress?: OnProgress;
  env?: NodeJS.ProcessEnv;
}

/** `$KAFKA_POC_CACHE/toxiproxy-<v>/toxiproxy-server`, default under `~/.cache/kafka-poc`. */
export function toxiproxyLocation(env: NodeJS.ProcessEnv = process.env): { dir: string; binary: string } {
  const cacheRoot = env.KAFKA_POC_CACHE || join(homedir(), '.cache', 'kafka-poc');
  const dir = join(cacheRoot, `toxiproxy-${TOXIPROXY_VERSION}`);
  return { dir, binary: join(dir, 'toxiproxy-server') };
}

/**
 * Makes sure the toxiproxy server binary is in the cache and returns its path. Builds it with
 * `go install <module>@v<version>` once (about a minute; needs Go and the Go module proxy); a marker
 * written after a successful build means a half build is redone. Concurrent callers wait on a lock.
 */
export async function ensureToxiproxy(options: ToxiproxyOptions = {}): Promise<string> {
  const onProgress = options.onProgress ?? silentProgress;
  const env = options.env ?? process.env;
  const { dir, binary } = toxiproxyLocation(env);
  if (await isProvisioned(dir)) return binary;
  await mkdir(dir, { recursive: true });
  const release = await acquireLock(join(dir, '.provision.lock'), 'building toxiproxy', onProgress);
  try {
    if (await isProvisioned(dir)) return binary;
    await build(dir, binary, env, onProgress);
    return binary;
  } finally {
    await release();
  }
}

async function isProvisioned(dir: string): Promise<boolean> {
  const text = await readIfExists(join(dir, MARKER));
  try {
    return text !== undefined && (JSON.parse(text) as { version?: string }).version === TOXIPROXY_VERSION;
  } catch {
    return false;
  }
}

function findGo(env: NodeJS.ProcessEnv): string {
  for (const candidate of [env.GO ?? 'go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new LocalStackError('TOXIPROXY_PROVISION_FAILED', 'Go not found: toxiproxy is built from source.', {
    retryable: false,
    hint: 'install Go 1.22+ (https://go.dev/dl, or apt-get install golang) and run again',
  });
}

async function build(dir: string, binary: string, env: NodeJS.ProcessEnv, onProgress: OnProgress) {
  const go = findGo(env);
  const startedAt = performance.now();
  const gobin = join(dir, `bin.tmp-${process.pid}`);
  const logFile = join(dir, 'build.log');
  await rm(gobin, { recursive: true, force: true });
  onProgress(`building toxiproxy ${TOXIPROXY_VERSION} with ${go} install ${MODULE} (log: ${logFile})`);
  const out = openSync(logFile, 'w');
  const child = spawn(go, ['install', `${MODULE}@v${TOXIPROXY_VERSION}`], {
    env: { ...env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new LocalStackError(
      'TOXIPROXY_PROVISION_FAILED',
      `go install exited with code ${code}. Last lines:\n${await tailFile(logFile, 20)}`,
      { retryable: true, hint: `the Go module proxy must be reachable; full log: ${logFile}` },
    );
  }
  await rename(join(gobin, 'server'), binary);
  await rm(gobin, { recursive: true, force: true });
  await writeFile(
    join(dir, MARKER),
    JSON.stringify({ version: TOXIPROXY_VERSION, module: MODULE, at: new Date().toISOString() }),
  );
  onProgress(`toxiproxy ${TOXIPROXY_VERSION} built into ${binary} (${elapsed(startedAt)})`);
}

export interface StartToxiproxyOptions {
  /** Where its log goes (appended). */
  logFile: string;
  /** API port on 127.0.0.1; default a free one. */
  port?: number;
  /** Seeds the randomness of toxics (toxicity, jitter), for reproducible runs. */
  seed?: number;
  onProgress?: OnProgress;
  /** Kills it if this process dies; default a watchdog of its own. */
  watchdog?: Watchdog;
}

export interface ToxiproxyServer {
  /** http://127.0.0.1:<port>: the HTTP API (POST /proxies, /proxies/<name>/toxics, …). */
  readonly apiUrl: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Starts toxiproxy-server (provisioning it first) and resolves once its API answers. */
export async function startToxiproxy(options: StartToxiproxyOptions): Promise<ToxiproxyServer> {
  const onProgress = options.onProgress ?? silentProgress;
  const binary = await ensureToxiproxy({ onProgress });
  const port = options.port ?? (await freePort());
  const args = ['-host', '127.0.0.1', '-port', String(port)];
  if (options.seed !== undefined) args.push('-seed', String(options.seed));
  const out = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  child.unref();
  const watchdog = watchdogHandle(options.watchdog);
  if (child.pid) watchdog.watch(child.pid, { signal: 'SIGTERM', stage: 1 });
  const exited = childExited(child);
  const apiUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, { graceMs: 5000 });
    if (child.pid) watchdog.unwatch(child.pid);
    watchdog.release();
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalStackError(
        'TOXIPROXY_START_FAILED',
        `toxiproxy-server exited at start:\n${await tailFile(options.logFile, 15)}`,
        { retryable: false },
      );
    }
    const ok = await fetch(`${apiUrl}/version`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new LocalStackError(
        'TOXIPROXY_START_FAILED',
        `toxiproxy API at ${apiUrl} did not answer in 15 s.`,
        {
          retryable: true,
          hint: `see ${options.logFile}`,
        },
      );
    }
    await Promise.race([sleep(100), exited]);
  }
  onProgress(`toxiproxy ${TOXIPROXY_VERSION} API at ${apiUrl} (log: ${options.logFile})`);
  return { apiUrl, pid: child.pid, logFile: options.logFile, stop };
}
